import { createHash } from 'node:crypto';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import type { Logger } from 'pino';
import { LOGGER } from '@leadrelay/campaigns';
import { redisConnection } from '../common/redis-connection';
import { APP_CONFIG, type ServerConfig } from '../config.token';

const WINDOW_MS = 60_000;
// One counter per source and clock minute, gone with its minute.
const COUNT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

type LimiterRedis = Redis & { pingCount(key: string, ttlMs: number): Promise<number> };

/**
 * The inbound pings' limit (docs/api.md › Pings): `PING_RATE_PER_MINUTE` per source — its intake
 * key and client address — per campaign, in each clock minute. A counter in Redis, so every
 * instance counts the same pings; the key is kept as a hash, never as itself.
 */
@Injectable()
export class PingLimiter implements OnApplicationShutdown {
  private readonly redis: LimiterRedis;
  private readonly prefix: string;
  private readonly max: number;

  constructor(@Inject(APP_CONFIG) config: ServerConfig, @Inject(LOGGER) private readonly logger: Logger) {
    // A ping must not hang on a Redis that is away: one try, then the ping goes unlimited.
    this.redis = new Redis({ ...redisConnection(config.REDIS_URL), lazyConnect: true, enableAutoPipelining: true, maxRetriesPerRequest: 1 }) as LimiterRedis;
    this.redis.on('error', (err) => this.logger.debug({ err }, 'ping limiter redis error'));
    this.redis.defineCommand('pingCount', { numberOfKeys: 1, lua: COUNT });
    this.prefix = `${config.QUEUE_PREFIX}:ping-rate`;
    this.max = config.PING_RATE_PER_MINUTE;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** Counts one ping; answers the seconds until this source may ping again when it is over the limit, else 0. */
  async waitSeconds(campaignId: string, apiKey: string, ip: string): Promise<number> {
    const now = Date.now();
    const minute = Math.floor(now / WINDOW_MS);
    const source = createHash('sha256').update(apiKey).digest('hex').slice(0, 32);
    let count: number;
    try {
      count = await this.redis.pingCount(`${this.prefix}:${campaignId}:${source}:${ip}:${minute}`, WINDOW_MS);
    } catch (err) {
      this.logger.warn({ err }, 'ping limit not counted: Redis is not answering');
      return 0;
    }
    return count > this.max ? Math.max(Math.ceil(((minute + 1) * WINDOW_MS - now) / 1000), 1) : 0;
  }
}
