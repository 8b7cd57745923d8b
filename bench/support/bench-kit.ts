import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
// autocannon has no types of its own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon');

export const ROOT = path.resolve(__dirname, '../..');
export const PG = 'postgres://postgres@127.0.0.1:5432';

export function machine() {
  const cpus = os.cpus();
  return { cpus: cpus.length, model: cpus[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}` };
}

/** Runs `statements` one after another on the server's `postgres` database; answers the last one's rows. */
async function onServer(...statements: string[]): Promise<Record<string, unknown>[]> {
  const c = new Client({ connectionString: `${PG}/postgres` });
  await c.connect();
  try {
    let rows: Record<string, unknown>[] = [];
    for (const statement of statements) ({ rows } = await c.query(statement));
    return rows;
  } finally {
    await c.end();
  }
}

export async function recreateDatabase(name: string): Promise<string> {
  await onServer(`drop database if exists "${name}" with (force)`, `create database "${name}"`);
  return `${PG}/${name}`;
}

export async function dropDatabase(name: string): Promise<void> {
  await onServer(`drop database if exists "${name}" with (force)`);
}

/**
 * Writes out every dirty page now (CHECKPOINT), so that a run does not pay for the one before it:
 * the previous run's pages, flushed in the background or by a checkpoint due by WAL volume,
 * would otherwise land in the next run's seconds.
 */
export async function settleDatabase(): Promise<void> {
  await onServer('checkpoint');
}

/** PostgreSQL's WAL position now, to give `walBytesSince` (WAL is server-wide: other databases' writes count too). */
export async function walPosition(): Promise<string> {
  return String((await onServer('select pg_current_wal_lsn() as lsn'))[0].lsn);
}

export async function walBytesSince(position: string): Promise<number> {
  return Number((await onServer(`select pg_wal_lsn_diff(pg_current_wal_lsn(), '${position}') as bytes`))[0].bytes);
}

/** Starts a process and waits until `url` answers 200 (or throws with its output). */
export async function startProcess(args: string[], env: NodeJS.ProcessEnv, readyUrl: string, timeoutMs = 60_000): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited early:\n${output}`);
    try {
      const res = await fetch(readyUrl);
      if (res.ok) return child;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`process not ready after ${timeoutMs} ms:\n${output}`);
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await done;
  clearTimeout(timer);
}

/** Peak resident memory of a process, sampled from /proc while `work` runs. */
export async function peakRss<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peakRssMB: number }> {
  const fs = await import('node:fs');
  let peak = 0;
  const sample = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) / 1024);
    } catch {
      // process gone
    }
  };
  const timer = setInterval(sample, 50);
  try {
    sample();
    const result = await work();
    sample();
    return { result, peakRssMB: Math.round(peak) };
  } finally {
    clearInterval(timer);
  }
}

export function table(rows: Record<string, unknown>[]): string {
  const cols = Object.keys(rows[0] ?? {});
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i])).join('  ');
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => String(r[c]))))].join('\n');
}

/**
 * A `new_lead` CTE inserting leads `from`..`to` of a campaign as intake stores them (normalised
 * values, a few awkward ones: commas, quotes, accents, formula text); follow it with the
 * dispatches the benchmark needs.
 */
export function generatedLeadsCte(campaign: string, from: number, to: number): string {
  return `
    with new_lead as (
      insert into lead (id, campaign_id, campaign_version, data, raw, received_at, source)
      select gen_random_uuid(), '${campaign}', (select version from campaign where id = '${campaign}'), d.data, d.data,
             timestamptz '2026-01-01 00:00:00+00' + g * interval '10 milliseconds', null
        from generate_series(${from}, ${to}) g,
        lateral (select jsonb_build_object(
          'first_name', (array['James','Mary','José','Zoë','Patricia','Robert','Jennifer','Michael'])[1 + g % 8]
                        || case when g % 997 = 0 then ', Jr.' when g % 1999 = 0 then '=HYPERLINK("x")' else '' end,
          'last_name', (array['Smith','Johnson','O''Brien','García','Nguyen','Müller','Brown'])[1 + g % 7],
          'email', 'user' || g || '@example.com',
          'phone', (5120000000 + g % 9999999)::text,
          'zip', lpad((10000 + g % 89999)::text, 5, '0'),
          'state', (array['TX','CA','NY','FL'])[1 + g % 4]) as data) d
      returning id, received_at)`;
}

/** The server build to measure: this checkout's (`npm run bench` builds it), or another's (BENCH_SERVER), to compare before/after a change. */
export const SERVER = process.env.BENCH_SERVER ?? path.join(ROOT, 'dist/apps/server/src/main.js');

/** The admin token of the benchmarks' servers (ADMIN_TOKENS). */
export const ADMIN_TOKEN = 'bench';

/**
 * The environment a benchmark's server processes share: one database, one campaign folder (under
 * bench/) and one queue prefix, quiet logs, no demo buyer; `extra` adds or overrides variables.
 */
export function serverEnv(database: string, campaigns: string, queuePrefix: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: `${PG}/${database}`,
    CAMPAIGNS_DIR: path.join(ROOT, 'bench', campaigns),
    LOG_LEVEL: 'warn',
    ADMIN_TOKENS: ADMIN_TOKEN,
    QUEUE_PREFIX: queuePrefix,
    DEMO_BUYER: 'off',
    ...extra,
  };
}

/** The built server in one role (LEADRELAY_ROLE) on `port`, once its /health answers. */
export function startServer(role: 'api' | 'worker' | 'all', port: number, env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  return startProcess([SERVER], { ...env, LEADRELAY_ROLE: role, PORT: String(port) }, `http://127.0.0.1:${port}/health`);
}

/** Deletes every Redis key of a run's QUEUE_PREFIX, whatever queues the server made under it. */
export async function removeRedisPrefix(prefix: string): Promise<void> {
  const { default: Redis } = await import('ioredis');
  const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
  try {
    await redis.connect();
    const stream = redis.scanStream({ match: `${prefix}:*`, count: 1000 });
    for await (const keys of stream as AsyncIterable<string[]>) if (keys.length) await redis.unlink(...keys);
  } finally {
    redis.disconnect();
  }
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One lead as a lead source posts it (intake normalises the email, phone and state). */
export const INTAKE_LEAD = JSON.stringify({ first_name: 'Ana', last_name: 'Lopez', email: 'Ana@Example.com', phone: '(512) 555-0100', zip: '78701', state: 'texas' });

/**
 * The same lead with an email of its own on every request, so that a declared dedupe never binds:
 * autocannon's `idReplacement` puts a new id (33 characters, unique across connections) in place
 * of `[<id>]` in each request it builds.
 */
export const INTAKE_LEAD_UNIQUE_EMAIL = INTAKE_LEAD.replace('Ana@Example.com', 'Ana.[<id>]@Example.com');

export interface IntakeLoad {
  rate: number | null;
  seconds: number;
  requests: number;
  acceptedPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  /** Answers by status code, e.g. { "201": 6000 }; a 503 is a refusal, never a hang. */
  statusCodes: Record<string, number>;
  /** Requests without an answer within autocannon's 10 s time-out, and connection errors. */
  timeouts: number;
  errors: number;
}

/**
 * Intake load with autocannon (latencies corrected for coordinated omission when paced): `rate`
 * leads/s over all connections for `seconds`, or as fast as it goes without a rate; `amount`
 * instead of `seconds` posts that many leads and ends; `uniqueEmails` posts
 * INTAKE_LEAD_UNIQUE_EMAIL.
 */
export async function intakeLoad(
  url: string,
  options: { rate?: number; seconds?: number; amount?: number; connections?: number; apiKey?: string; uniqueEmails?: boolean },
): Promise<IntakeLoad> {
  const r = await autocannon({
    url,
    method: 'POST',
    connections: options.connections ?? 64,
    ...(options.amount ? { amount: options.amount } : { duration: options.seconds ?? 10 }),
    headers: { 'content-type': 'application/json', 'x-api-key': options.apiKey ?? 'bench-key' },
    ...(options.uniqueEmails ? { body: INTAKE_LEAD_UNIQUE_EMAIL, idReplacement: true } : { body: INTAKE_LEAD }),
    ...(options.rate ? { overallRate: options.rate } : {}),
  });
  return {
    rate: options.rate ?? null,
    seconds: r.duration,
    requests: r.requests.total,
    acceptedPerSec: Math.round(r['2xx'] / r.duration),
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    maxMs: r.latency.max,
    non2xx: r.non2xx,
    statusCodes: Object.fromEntries(Object.entries(r.statusCodeStats as Record<string, { count: number }>).map(([code, s]) => [code, s.count])),
    timeouts: r.timeouts,
    errors: r.errors,
  };
}

/**
 * A paced load that got its answers in time: no time-out, no error, the rate kept (a server that
 * stops answering shows here: autocannon's p99 counts only the answers that came).
 */
export const intakeKeptUp = (l: IntakeLoad) => l.timeouts + l.errors === 0 && (l.rate === null || l.acceptedPerSec >= 0.9 * l.rate);

/** One intake load as a row of `table`. */
export function intakeRow(what: string, l: IntakeLoad): Record<string, unknown> {
  return {
    intake: what,
    'accepted/s': l.acceptedPerSec,
    'p50 ms': l.p50Ms,
    'p99 ms': l.p99Ms,
    'max ms': l.maxMs,
    'non-2xx': l.non2xx,
    'of which 503': l.statusCodes['503'] ?? 0,
    'time-outs + errors': l.timeouts + l.errors,
  };
}

/** A process's CPU time so far (user + system) and its command line, from /proc. */
export interface ProcessCpu {
  pid: number;
  cmdline: string;
  ms: number;
}

/** Every process's CPU time now, by pid. */
export function processCpu(): Map<number, ProcessCpu> {
  const tickMs = 1000 / 100; // USER_HZ: 100 on Linux
  const all = new Map<number, ProcessCpu>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name (which may hold spaces), from field 3 on: utime and stime are fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = (Number(fields[11]) + Number(fields[12])) * tickMs;
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      all.set(Number(entry), { pid: Number(entry), cmdline, ms });
    } catch {
      // gone meanwhile
    }
  }
  return all;
}

/**
 * CPU milliseconds spent between two `processCpu()` snapshots, summed per group (the first group
 * whose test matches a process takes it). A process that started in between counts from zero; one
 * that ended in between is lost (PostgreSQL backends outlive a run: pools keep them).
 */
export function cpuBetween(before: Map<number, ProcessCpu>, after: Map<number, ProcessCpu>, groups: Record<string, (p: ProcessCpu) => boolean>): Record<string, number> {
  const sums: Record<string, number> = Object.fromEntries(Object.keys(groups).map((g) => [g, 0]));
  for (const p of after.values()) {
    const group = Object.keys(groups).find((g) => groups[g](p));
    if (group) sums[group] += p.ms - (before.get(p.pid)?.ms ?? 0);
  }
  return Object.fromEntries(Object.entries(sums).map(([g, ms]) => [g, Math.round(ms)]));
}

/**
 * Tests for `cpuBetween`, to put after a benchmark's own processes: PostgreSQL's backends serving
 * `database`, its other processes, Redis, and whatever else ran on the machine meanwhile.
 */
export const sharedProcesses = (database: string) => ({
  [`postgres backends (${database})`]: (p: ProcessCpu) => p.cmdline.startsWith('postgres:') && p.cmdline.includes(` ${database} `),
  'postgres, the rest (WAL, checkpoints, other databases)': (p: ProcessCpu) => p.cmdline.startsWith('postgres:') || p.cmdline.includes('bin/postgres '),
  'redis-server (whole server)': (p: ProcessCpu) => p.cmdline.startsWith('redis-server'),
  'everything else on the machine': () => true,
});

/** The load average now, to print beside figures taken on a shared machine. */
export const loadAverage = () => os.loadavg().map((x) => round(x, 2));

/**
 * Dispatches of a benchmark's database by delivery and status (`buyer delivered`, `download
 * pending` …) and the duplicate keys intake stored: with controls declared, a `skipped` row would
 * mean one of them bound.
 */
export async function dispatchCounts(database: string): Promise<Record<string, number>> {
  const c = new Client({ connectionString: `${PG}/${database}` });
  await c.connect();
  try {
    const { rows } = await c.query<{ what: string; n: number }>(
      `select delivery_id || ' ' || status as what, count(*)::int as n from dispatch_row group by 1
       union all select 'dedupe keys', count(*)::int from dedupe_key order by 1`,
    );
    return Object.fromEntries(rows.map((r) => [r.what, r.n]));
  } finally {
    await c.end();
  }
}
