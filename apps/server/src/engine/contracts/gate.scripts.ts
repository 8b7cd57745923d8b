// Lua run atomically in Redis: the part of a buyer contract that many workers share and that may
// be lost with Redis (in flight, pacing, the breaker, who waits). Keys of one delivery share a
// hash tag. KEYS: 1 state (hash), 2 in flight (zset: dispatch → lease expiry), 3 starts (zset:
// start log for `rate`), 4 waiters (zset: dispatch → arrival), 5 seen (zset: waiter → last time
// it parked; waiters not seen for a while are gone), 6 woken (set: waiters told to go, for a
// wake that found its job still running) — docs/contracts.md, "How the host applies them".

/** Shared by the scripts: join the waiters (keeping the first arrival), mark seen now. */
const PARK_FN = `
local function park(member, arrival, wall)
  redis.call('ZADD', KEYS[4], 'NX', arrival, member)
  redis.call('ZADD', KEYS[5], wall, member)
end
local function wakeEarliest(n)
  if n <= 0 then return {} end
  local ids = redis.call('ZRANGE', KEYS[4], 0, n - 1)
  for i = 1, #ids, 1000 do redis.call('SADD', KEYS[6], unpack(ids, i, math.min(i + 999, #ids))) end
  return ids
end
`;

/**
 * ARGV: now, member, concurrency, leaseMs, rateMax (0: none), ratePerMs, breaker (0/1), pauseMs,
 * arrival, staleMs, wall. `now` is the host's clock (windows, the breaker's pause); `wall` the
 * machine's, for leases and for noticing waiters that are gone. Answers `{verdict, untilMs, rateMember, ...to wake}`: `ok`; `unsynced` (Redis
 * does not know the delivery's pause yet); `paused` / `concurrency` / `breaker` with until 0
 * (parked, woken by a release or a resume) — for `concurrency`, the second value is how many
 * earlier sends wait beyond the free slots; `breaker` / `rate` with the time it may go. Slots go
 * to the earliest arrivals: a send goes ahead only if fewer sends that arrived before it wait
 * than there are free slots; otherwise it waits and the earliest waiters are woken instead.
 */
export const ACQUIRE = `${PARK_FN}
local now = tonumber(ARGV[1])
local wall = tonumber(ARGV[11])
local member = ARGV[2]
local arrival = ARGV[9]
local state = redis.call('HMGET', KEYS[1], 'synced', 'paused', 'bstate', 'bsince', 'btrial', 'btrialexp')
if not state[1] then return {'unsynced', 0, ''} end
if state[2] == '1' then
  park(member, arrival, wall)
  return {'paused', 0, ''}
end
local trial = false
if ARGV[7] == '1' and state[3] and state[3] ~= 'closed' then
  if state[3] == 'open' then
    local reopen = tonumber(state[4]) + tonumber(ARGV[8])
    if now < reopen then
      park(member, arrival, wall)
      return {'breaker', reopen, ''}
    end
    trial = true
  elseif state[5] and state[5] ~= member and tonumber(state[6] or '0') > now then
    park(member, arrival, wall)
    return {'breaker', 0, ''}
  else
    trial = true
  end
end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', wall)
local stale = redis.call('ZRANGEBYSCORE', KEYS[5], '-inf', wall - tonumber(ARGV[10]), 'LIMIT', 0, 500)
if #stale > 0 then
  redis.call('ZREM', KEYS[4], unpack(stale))
  redis.call('ZREM', KEYS[5], unpack(stale))
end
if not redis.call('ZSCORE', KEYS[2], member) then
  local free = tonumber(ARGV[3]) - redis.call('ZCARD', KEYS[2])
  if trial then free = math.min(free, 1) end
  local ahead = redis.call('ZCOUNT', KEYS[4], '-inf', '(' .. arrival)
  if ahead >= free then
    park(member, arrival, wall)
    local verdict = {'concurrency', ahead - math.max(free, 0), ''}
    for _, id in ipairs(wakeEarliest(free)) do table.insert(verdict, id) end
    return verdict
  end
end
local started = ''
local rateMax = tonumber(ARGV[5])
if rateMax > 0 then
  local per = tonumber(ARGV[6])
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - per)
  if redis.call('ZCARD', KEYS[3]) >= rateMax then
    local oldest = redis.call('ZRANGE', KEYS[3], 0, 0, 'WITHSCORES')
    park(member, arrival, wall)
    return {'rate', tonumber(oldest[2]) + per, ''}
  end
  started = member .. '@' .. ARGV[1]
  redis.call('ZADD', KEYS[3], now, started)
  redis.call('PEXPIRE', KEYS[3], per * 2)
end
redis.call('ZADD', KEYS[2], wall + tonumber(ARGV[4]), member)
redis.call('ZREM', KEYS[4], member)
redis.call('ZREM', KEYS[5], member)
redis.call('SREM', KEYS[6], member)
if trial then
  redis.call('HSET', KEYS[1], 'bstate', 'half-open', 'btrial', member, 'btrialexp', now + tonumber(ARGV[4]))
end
return {'ok', 0, started}
`;

/**
 * ARGV: member, outcome (`delivered` | `rejected` | `retry` | `none`), now, failures (0: no
 * breaker), lastError, concurrency, rate member to take back ('' for none), wall. Frees the slot,
 * moves the breaker, and answers the earliest waiters to wake, as many as there are free slots.
 */
export const RELEASE = `${PARK_FN}
local member = ARGV[1]
local outcome = ARGV[2]
local now = tonumber(ARGV[3])
redis.call('ZREM', KEYS[2], member)
redis.call('ZREM', KEYS[4], member)
redis.call('ZREM', KEYS[5], member)
if ARGV[7] ~= '' then redis.call('ZREM', KEYS[3], ARGV[7]) end
local failures = tonumber(ARGV[4])
if failures > 0 then
  local bstate = redis.call('HGET', KEYS[1], 'bstate') or 'closed'
  if outcome == 'retry' then
    local count = redis.call('HINCRBY', KEYS[1], 'bfail', 1)
    local trialFailed = bstate == 'half-open' and redis.call('HGET', KEYS[1], 'btrial') == member
    if trialFailed or (bstate == 'closed' and count >= failures) then
      redis.call('HSET', KEYS[1], 'bstate', 'open', 'bsince', now, 'blast', ARGV[5])
      redis.call('HDEL', KEYS[1], 'btrial', 'btrialexp')
    end
  elseif outcome == 'delivered' or outcome == 'rejected' then
    redis.call('HSET', KEYS[1], 'bfail', 0)
    if bstate ~= 'closed' then
      redis.call('HSET', KEYS[1], 'bstate', 'closed', 'bsince', now)
      redis.call('HDEL', KEYS[1], 'btrial', 'btrialexp')
    end
  end
end
local state = redis.call('HMGET', KEYS[1], 'paused', 'bstate')
if state[1] == '1' or state[2] == 'open' or state[2] == 'half-open' then return {} end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[8]))
return wakeEarliest(tonumber(ARGV[6]) - redis.call('ZCARD', KEYS[2]))
`;

/**
 * ARGV: member, arrival, wall. A held job, once delayed: it joins the waiters (or stays), and answers
 * 1 when a wake was meant for it while it was still running — then it wakes itself.
 */
export const PARK = `${PARK_FN}
park(ARGV[1], ARGV[2], tonumber(ARGV[3]))
return redis.call('SREM', KEYS[6], ARGV[1])
`;

/** ARGV: paused (0/1). Mirrors the delivery's pause from PostgreSQL; a resume wakes every waiter. */
export const SET_PAUSED = `${PARK_FN}
redis.call('HSET', KEYS[1], 'synced', '1', 'paused', ARGV[1])
if ARGV[1] == '1' then return {} end
return wakeEarliest(redis.call('ZCARD', KEYS[4]))
`;
