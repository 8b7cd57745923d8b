import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool as PgPool } from 'pg';
import {
  cpuBetween,
  dropDatabase,
  intakeLoad,
  loadAverage,
  machine,
  processCpu,
  removeRedisPrefix,
  ROOT,
  round,
  serverEnv,
  sharedProcesses,
  sleep,
  startProcess,
  startServer,
  stopProcess,
  table,
} from './support/bench-kit';

/**
 * B5 scale-out (quality.md): B2's end-to-end delivery with 1 and with 2 worker processes
 * (LEADRELAY_ROLE=worker) beside 1 api process, all on one PostgreSQL database and one Redis queue
 * prefix, delivering by http-post to a local buyer that answers at once.
 *
 * Each run: LEADS leads accepted through intake while no worker runs, then the run's workers
 * started together; leads/s counts what the buyer received from the moment every worker answered
 * /health until PostgreSQL shows every dispatch delivered (the B2 figure, timed from the buyer's
 * first arrival, is kept beside it: with 2 workers it includes the head start of the first one up).
 * The runs alternate, 1, 2, 1, 2 workers, and the better of each counts (the machine's load drifts,
 * as B2 says of its floor). The CPU time each process used in that window (from /proc) says where
 * the cores went, per delivered lead.
 */
const LEADS = Number(process.env.BENCH_LEADS ?? 20_000);
const PORTS = { api: 3301, workers: [3302, 3303], buyer: 3304 };
const CAMPAIGN = 'bench-delivery';
const DB = 'leadrelay_bench_scale_out';
const BUYER = `http://127.0.0.1:${PORTS.buyer}`;
const TARGET = 1.3;

const now = () => performance.timeOrigin + performance.now();

async function buyerStats(): Promise<{ count: number; first: number; last: number }> {
  return (await fetch(`${BUYER}/stats`)).json() as Promise<{ count: number; first: number; last: number }>;
}

async function deliveredCount(db: PgPool): Promise<number> {
  const { rows } = await db.query(`select count(*)::int as n from dispatch where campaign_id = $1 and status = 'delivered'`, [CAMPAIGN]);
  return rows[0].n;
}

interface Run {
  workers: number;
  /** Delivered per second once every worker was up, to the last one marked delivered. */
  leadsPerSec: number;
  seconds: number;
  /** Delivered before the last worker answered /health (the first one's head start). */
  headStart: number;
  /** B2's own figure: from the buyer's first arrival. */
  fromFirstArrival: { leadsPerSec: number; seconds: number };
  intakePerSec: number;
  /** CPU ms per process group over the window, and the cores that makes on average. */
  cpuMs: Record<string, number>;
  coresBusy: number;
  /** Other work on the (shared) machine meanwhile. */
  coresBusyElsewhere: number;
  buyerCountEveryHalfSecond: number[];
}

async function run(db: PgPool, env: NodeJS.ProcessEnv, workers: number, apiPid: number, buyerPid: number, deliveredBefore: number): Promise<Run> {
  await fetch(`${BUYER}/reset`, { method: 'POST' });
  const intake = await intakeLoad(`http://127.0.0.1:${PORTS.api}/v1/campaigns/${CAMPAIGN}/leads`, { amount: LEADS, connections: 64 });
  if (intake.statusCodes['201'] !== LEADS) throw new Error(`intake did not accept every lead: ${JSON.stringify(intake.statusCodes)}`);
  await db.query('vacuum analyze dispatch');
  const started: ChildProcess[] = [];
  try {
    await Promise.all(
      PORTS.workers.slice(0, workers).map(async (port) => {
        started.push(await startServer('worker', port, env));
      }),
    );
    const t0 = now();
    const cpu0 = processCpu();
    const { count: headStart } = await buyerStats();
    const deadline = Date.now() + 10 * 60_000;
    // The buyer's count every half second: a stall shows as a flat stretch.
    const timeline: number[] = [];
    let lastSample = t0;
    while ((await deliveredCount(db)) < deliveredBefore + LEADS) {
      if (Date.now() > deadline) throw new Error(`${workers} worker(s) did not deliver every lead within 10 minutes`);
      if (now() - lastSample >= 500) {
        lastSample = now();
        timeline.push((await buyerStats()).count);
      }
      await sleep(10);
    }
    const t1 = now();
    const cpu1 = processCpu();
    const { first } = await buyerStats();
    const pids = new Set(started.map((w) => w.pid));
    const cpuMs = cpuBetween(cpu0, cpu1, {
      'leadrelay api': (p) => p.pid === apiPid,
      'leadrelay worker(s)': (p) => pids.has(p.pid),
      'buyer (bench)': (p) => p.pid === buyerPid,
      'bench (polling PostgreSQL)': (p) => p.pid === process.pid,
      ...sharedProcesses(DB),
    });
    const seconds = (t1 - t0) / 1000;
    const elsewhere = cpuMs['everything else on the machine'];
    const busy = (Object.values(cpuMs).reduce((a, b) => a + b, 0) - elsewhere) / (t1 - t0);
    return {
      workers,
      leadsPerSec: round((LEADS - headStart) / seconds, 0),
      seconds: round(seconds, 2),
      headStart,
      fromFirstArrival: { leadsPerSec: round(LEADS / ((t1 - first) / 1000), 0), seconds: round((t1 - first) / 1000, 2) },
      intakePerSec: intake.acceptedPerSec,
      cpuMs,
      coresBusy: round(busy, 2),
      coresBusyElsewhere: round(elsewhere / (t1 - t0), 2),
      buyerCountEveryHalfSecond: timeline,
    };
  } finally {
    for (const w of started) await stopProcess(w);
  }
}

export async function main() {
  const prefix = `bench_scale_out_${Date.now()}`;
  const env = serverEnv(DB, 'campaigns-delivery', prefix, {
    BENCH_BUYER_URL: `${BUYER}/leads`,
    // As in B2: a sweep at a worker's start re-adds the whole backlog, a burst the steady state lacks.
    SWEEP_EVERY_MS: '600000',
  });
  const loadBefore = loadAverage();
  await dropDatabase(DB);
  const buyer = await startProcess([path.join(ROOT, 'bench/support/delivery-buyer.server.js')], { ...process.env, PORT: String(PORTS.buyer) }, `${BUYER}/stats`);
  const processes = [buyer];
  const db = new PgPool({ connectionString: env.DATABASE_URL, max: 4 });
  try {
    // The api process creates and migrates the database and applies the campaign.
    const api = await startServer('api', PORTS.api, env);
    processes.push(api);
    const runs: Run[] = [];
    for (const workers of [1, 2, 1, 2]) {
      const r = await run(db, env, workers, api.pid!, buyer.pid!, runs.length * LEADS);
      console.log(`${workers} worker(s): ${r.leadsPerSec} leads/s over ${r.seconds} s (cores busy: ${r.coresBusy}, elsewhere ${r.coresBusyElsewhere}); buyer count every 0.5 s: ${r.buyerCountEveryHalfSecond.join(' ')}`);
      runs.push(r);
    }
    const best = (workers: number) => runs.filter((r) => r.workers === workers).reduce((a, b) => (b.leadsPerSec > a.leadsPerSec ? b : a));
    const one = best(1);
    const two = best(2);
    const ratio = round(two.leadsPerSec / one.leadsPerSec, 2);
    console.log(
      table(
        runs.map((r, i) => ({
          run: `${i + 1}. leadrelay, ${r.workers} worker process${r.workers > 1 ? 'es' : ''}${r === one || r === two ? ' (best)' : ''}`,
          'leads/s (all workers up)': r.leadsPerSec,
          seconds: r.seconds,
          'head start': r.headStart,
          'leads/s from first arrival (B2)': r.fromFirstArrival.leadsPerSec,
          'cores busy: this run / elsewhere': `${r.coresBusy} / ${r.coresBusyElsewhere}`,
        })),
      ),
    );
    // Where the CPU went, per delivered lead: what a third core (or more) could take over.
    const perLead = (r: Run, g: string) => round(r.cpuMs[g] / (LEADS - r.headStart), 3);
    console.log(`\nCPU ms per delivered lead over each window (from /proc):`);
    console.log(table(Object.keys(two.cpuMs).map((g) => ({ process: g, '1 worker': perLead(one, g), '2 workers': perLead(two, g) }))));
    // What more cores could give: the CPU one delivered lead costs in all bounds a machine's rate;
    // Redis runs on one thread whatever the cores, so its share bounds it on any machine.
    const delivered = (r: Run) => LEADS - r.headStart;
    const ours = (r: Run) => Object.entries(r.cpuMs).reduce((sum, [g, ms]) => (g === 'everything else on the machine' ? sum : sum + ms), 0);
    const projection = {
      cpuMsPerLead: round(ours(two) / delivered(two), 3),
      coresCeilingLeadsPerSec: round((machine().cpus * 1000 * delivered(two)) / ours(two), 0),
      redisOneThreadCeilingLeadsPerSec: round((1000 * delivered(two)) / two.cpuMs['redis-server (whole server)'], 0),
    };
    console.log(
      `\n2 workers: ${projection.cpuMsPerLead} ms of CPU per delivered lead in all → ${machine().cpus} cores saturate near ${projection.coresCeilingLeadsPerSec} leads/s; ` +
        `Redis on its one thread would cap delivery near ${projection.redisOneThreadCeilingLeadsPerSec} leads/s on any number of cores`,
    );
    console.log(`\n${LEADS} leads per run; ratio best 2-worker run / best 1-worker run: ${ratio}× (target ≥ ${TARGET}× on 2 cores)`);
    return {
      name: 'scale-out',
      date: new Date().toISOString(),
      machine: machine(),
      // Other work on the machine skews every figure: the load average before and after.
      loadAverage: { before: loadBefore, after: loadAverage() },
      settings: { leads: LEADS, workerConcurrency: Number(process.env.WORKER_CONCURRENCY ?? 64), server: env.BENCH_SERVER ?? 'dist (this checkout)' },
      results: { oneWorker: one, twoWorkers: two, runs, ratio, projection },
      targets: { ratio: TARGET },
      met: { ratio: ratio >= TARGET },
    };
  } finally {
    await db.end();
    for (const p of processes.reverse()) await stopProcess(p);
    await dropDatabase(DB);
    await removeRedisPrefix(prefix);
  }
}
