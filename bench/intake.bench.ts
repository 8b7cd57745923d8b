import * as path from 'node:path';
// autocannon has no types of its own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon');
import { dropDatabase, machine, recreateDatabase, ROOT, startProcess, stopProcess, table } from './support/bench-kit';

/**
 * B1 intake (quality.md): leads/s over loopback at 64 connections, leadrelay against a bare
 * node http + pg INSERT + Redis LPUSH server in the same run; then p99 at half of each peak.
 */
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const LEAD = JSON.stringify({ first_name: 'Ana', last_name: 'Lopez', email: 'Ana@Example.com', phone: '(512) 555-0100', zip: '78701', state: 'texas' });

async function load(url: string, headers: Record<string, string>, rate?: number) {
  const result = await autocannon({
    url,
    method: 'POST',
    connections: 64,
    duration: DURATION_S,
    headers: { 'content-type': 'application/json', ...headers },
    body: LEAD,
    ...(rate ? { overallRate: rate } : {}),
  });
  const ok = result['2xx'];
  return {
    reqPerSec: Math.round(ok / DURATION_S),
    p50ms: result.latency.p50,
    p99ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

async function measure(name: string, args: string[], env: NodeJS.ProcessEnv, port: number, url: string, headers: Record<string, string>) {
  const child = await startProcess(args, { ...process.env, ...env, PORT: String(port) }, `http://127.0.0.1:${port}/health`);
  try {
    await load(url, headers, 500); // warm-up (JIT, pools)
    const peak = await load(url, headers);
    const half = await load(url, headers, Math.max(1, Math.round(peak.reqPerSec / 2)));
    return { name, peak, half };
  } finally {
    await stopProcess(child);
  }
}

export async function main() {
  const db = 'leadrelay_bench_intake';
  const floorDb = 'leadrelay_bench_intake_floor';
  await recreateDatabase(floorDb);
  await dropDatabase(db);
  const prefix = `bench_${Date.now()}`;
  try {
    const floor = await measure('floor (node http + pg INSERT + LPUSH)', [path.join(ROOT, 'bench/support/intake-floor.server.js')], { DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${floorDb}` }, 3101, 'http://127.0.0.1:3101/leads', {});
    const leadrelay = await measure(
      'leadrelay (role api)',
      [path.join(ROOT, 'dist/apps/server/src/main.js')],
      {
        DATABASE_URL: `postgres://postgres@127.0.0.1:5432/${db}`,
        CAMPAIGNS_DIR: path.join(ROOT, 'bench/campaigns'),
        LEADRELAY_ROLE: 'api',
        LOG_LEVEL: 'warn',
        ADMIN_TOKENS: 'bench',
        QUEUE_PREFIX: prefix,
        DEMO_BUYER: 'off',
      },
      3102,
      'http://127.0.0.1:3102/v1/campaigns/bench/leads',
      { 'x-api-key': 'bench-key' },
    );
    const rows = [floor, leadrelay].map((r) => ({
      server: r.name,
      'peak req/s': r.peak.reqPerSec,
      'p50 ms': r.peak.p50ms,
      'p99 ms': r.peak.p99ms,
      'half-rate p99 ms': r.half.p99ms,
      errors: r.peak.errors + r.peak.non2xx,
    }));
    const ratio = Math.round((leadrelay.peak.reqPerSec / floor.peak.reqPerSec) * 100) / 100;
    console.log(table(rows));
    console.log(`\nratio leadrelay/floor: ${ratio}× (target ≥ 0.5×); leadrelay p99 at half its peak: ${leadrelay.half.p99ms} ms (target ≤ 25 ms)`);
    return { name: 'intake', date: new Date().toISOString(), machine: machine(), durationS: DURATION_S, floor, leadrelay, ratio, targets: { ratio: 0.5, halfRateP99Ms: 25 } };
  } finally {
    await dropDatabase(floorDb);
    await dropDatabase(db);
    const { Queue } = await import('bullmq');
    const q = new Queue('dispatch', { connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null }, prefix });
    await q.obliterate({ force: true }).catch(() => undefined);
    await q.close();
  }
}
