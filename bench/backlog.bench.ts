import type { ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import { Pool as PgPool } from 'pg';
import {
  dropDatabase,
  intakeLoad,
  intakeRow,
  loadAverage,
  machine,
  removeRedisPrefix,
  round,
  sleep,
  serverEnv,
  startServer,
  stopProcess,
  table,
  type IntakeLoad,
} from './support/bench-kit';
import { RedisCommandLog, type RedisCommandCount } from './support/redis-commands';

/**
 * B6 backlog (quality.md): BACKLOG pending real-time dispatches waiting on delayed retries, with
 * 1 api and 1 worker process (LEADRELAY_ROLE) against one database and one queue prefix.
 *
 * The buyer is down: it answers every POST 503 with `Retry-After: 3600`, so each dispatch, after its
 * first try, waits an hour for the next. The backlog is made through the app itself (intake at full
 * speed, the worker trying each lead once), then:
 *
 * (a) the Redis commands of one sweep, counted on a MONITOR connection (only keys of this run's
 *     QUEUE_PREFIX: the Redis server is shared). The worker is restarted with another SWEEP_EVERY_MS
 *     (a changed interval makes BullMQ's scheduler fire at once, then every SWEEP_EVERY_MS) and the
 *     second sweep, the first one in steady state, is counted from its job going active to its
 *     return value; the same processes' idle rate (no sweep due) is taken off. Where no sweep job
 *     shows in Redis (the sweeper scheduled otherwise), one whole SWEEP_EVERY_MS period counts instead.
 * (b) intake p99 at a steady INTAKE_RATE for INTAKE_SECONDS (one sweep period: a sweep falls
 *     inside) with the backlog, against the same intake on the same processes before the backlog
 *     was made (the floor); ratio target ≤ 1.2×. Before it, where the next sweep's start is known,
 *     the same intake until then: the backlog with no sweep running, to tell the two costs apart.
 */
const BACKLOG = Number(process.env.BENCH_BACKLOG ?? 100_000);
const INTAKE_RATE = Number(process.env.BENCH_INTAKE_RATE ?? 200);
const SWEEP_EVERY_MS = 30_000;
const INTAKE_SECONDS = Number(process.env.BENCH_INTAKE_S ?? SWEEP_EVERY_MS / 1000);
const IDLE_SECONDS = 10;
const PORTS = { api: 3401, worker: 3402, buyer: 3403 };
const CAMPAIGN = 'bench-delivery';
const DB = 'leadrelay_bench_backlog';
const TARGETS = { p99Ratio: 1.2 };
const INTAKE_URL = `http://127.0.0.1:${PORTS.api}/v1/campaigns/${CAMPAIGN}/leads`;

/** The buyer, down: every lead gets a 503 and a retry an hour away. */
function startDownBuyer(): Promise<{ server: http.Server; answered: () => number }> {
  let answered = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      answered++;
      res.writeHead(503, { 'retry-after': '3600', 'content-type': 'text/plain' });
      res.end('down for maintenance');
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(PORTS.buyer, '127.0.0.1', () => resolve({ server, answered: () => answered })));
}

/** Pending dispatches of the campaign, and how many of them have not been tried yet. */
async function pending(db: PgPool): Promise<{ pending: number; untried: number }> {
  const { rows } = await db.query(
    `select count(*)::int as pending, count(*) filter (where attempts = 0)::int as untried from dispatch where campaign_id = $1 and status = 'pending'`,
    [CAMPAIGN],
  );
  return rows[0];
}

/** A sweep job's start and end as BullMQ writes them on the job: `processedOn`, then `returnvalue`. */
function sweepMark(args: string[]): string | undefined {
  const job = /:repeat:sweeper:(\d+)$/.exec(args[1] ?? '');
  if (!job || !/^hm?set$/i.test(args[0])) return undefined;
  if (args[2] === 'processedOn') return `start ${job[1]}`;
  if (args[2] === 'returnvalue' || args[2] === 'failedReason') return `end ${job[1]} ${args[3]}`;
  return undefined;
}

interface SweepCount {
  /** How the window was found: the sweep job's own start and end, or one whole period. */
  window: 'sweep job' | 'one SWEEP_EVERY_MS period';
  seconds: number;
  /** What the sweep job returned, where it shows. */
  returned: string | null;
  commands: RedisCommandCount;
  /** The same processes' commands when idle, for as long. */
  idleCalls: number;
  idleInScripts: number;
  /** Over idle: what the sweep itself sent. */
  sweepCalls: number;
  sweepInScripts: number;
}

function perSecond(c: RedisCommandCount, seconds: number) {
  return { calls: c.calls / seconds, inScripts: c.inScripts / seconds };
}

export async function main() {
  const prefix = `bench_backlog_${Date.now()}`;
  const env = serverEnv(DB, 'campaigns-delivery', prefix, { BENCH_BUYER_URL: `http://127.0.0.1:${PORTS.buyer}/leads`, SWEEP_EVERY_MS: String(SWEEP_EVERY_MS) });
  const loadBefore = loadAverage();
  await dropDatabase(DB);
  const buyer = await startDownBuyer();
  const db = new PgPool({ connectionString: env.DATABASE_URL, max: 2 });
  let api: ChildProcess | undefined;
  let worker: ChildProcess | undefined;
  let log: RedisCommandLog | undefined;
  try {
    // The api process creates and migrates the database and applies the campaign.
    api = await startServer('api', PORTS.api, env);
    worker = await startServer('worker', PORTS.worker, env);

    // (b) floor: the same intake, the same processes, no backlog yet.
    await intakeLoad(INTAKE_URL, { rate: INTAKE_RATE, seconds: 3, connections: 16 }); // warm-up: JIT, pools
    const floor = await intakeLoad(INTAKE_URL, { rate: INTAKE_RATE, seconds: INTAKE_SECONDS, connections: 16 });
    console.log(`floor: intake at ${INTAKE_RATE}/s without the backlog: p99 ${floor.p99Ms} ms`);

    // The backlog, through the app: intake at full speed while the worker tries each lead once.
    // No sweep meanwhile (a sweep would re-add what is being made): the worker gets a far interval.
    await stopProcess(worker);
    worker = await startServer('worker', PORTS.worker, { ...env, SWEEP_EVERY_MS: '600000' });
    const made = Date.now();
    const preload = await intakeLoad(INTAKE_URL, { amount: BACKLOG, connections: 64 });
    if (preload.statusCodes['201'] !== BACKLOG) throw new Error(`intake did not accept every lead: ${JSON.stringify(preload.statusCodes)}`);
    const deadline = Date.now() + 5 * 60_000;
    let state = await pending(db);
    while (state.untried > 0) {
      if (Date.now() > deadline) throw new Error(`the worker did not try every lead within 5 minutes (${JSON.stringify(state)})`);
      await sleep(500);
      state = await pending(db);
    }
    const madeSeconds = round((Date.now() - made) / 1000, 1);
    console.log(`backlog: ${BACKLOG} leads through intake at ${preload.acceptedPerSec}/s; ${state.pending} pending dispatches, each tried once, after ${madeSeconds} s`);
    await db.query('vacuum analyze dispatch');
    // Past SWEEP_GRACE_MS (15 s by default): every pending dispatch is the sweeper's to look at.
    await sleep(Math.max(0, 16_000 - (Date.now() - made)));

    // (a) Redis commands: the idle rate first, then the sweep.
    log = await RedisCommandLog.start(prefix, sweepMark);
    const idleFrom = Date.now();
    await sleep(IDLE_SECONDS * 1000);
    const idleTo = Date.now();
    const idle = perSecond(log.count(idleFrom, idleTo), (idleTo - idleFrom) / 1000);
    await stopProcess(worker);
    worker = await startServer('worker', PORTS.worker, env);
    const ready = Date.now();
    // The restart's sweep ran at once; the next one is SWEEP_EVERY_MS after it.
    const sweepEnds = () => log!.marks.filter((m) => m.label.startsWith('end '));
    const waitUntil = Date.now() + 2 * SWEEP_EVERY_MS + 120_000;
    while (sweepEnds().length < 2 && Date.now() < waitUntil) {
      if (!log.marks.length && Date.now() > ready + 2_000 + SWEEP_EVERY_MS) break; // no sweep job to see
      await sleep(250);
    }
    let sweep: SweepCount;
    /** When the next sweep starts, where the sweep job shows: SWEEP_EVERY_MS after the counted one. */
    let nextSweepAt: number | undefined;
    const ends = sweepEnds();
    if (ends.length >= 2) {
      const job = ends[1].label.split(' ')[1];
      const start = log.marks.find((m) => m.label === `start ${job}`)!;
      nextSweepAt = start.at + SWEEP_EVERY_MS;
      const seconds = (ends[1].at - start.at) / 1000;
      sweep = counted('sweep job', log.count(start.at, ends[1].at + 1), seconds, idle, ends[1].label.split(' ').slice(2).join(' '));
    } else {
      // No sweep job to delimit: a whole period in steady state holds one sweep.
      const from = ready + 2_000;
      while (Date.now() < from + SWEEP_EVERY_MS) await sleep(250);
      sweep = counted('one SWEEP_EVERY_MS period', log.count(from, from + SWEEP_EVERY_MS), SWEEP_EVERY_MS / 1000, idle, null);
    }
    await log.stop();
    log = undefined;
    const perDispatch = round(sweep.sweepCalls / state.pending, 3);
    const perDispatchAll = round((sweep.sweepCalls + sweep.sweepInScripts) / state.pending, 3);
    console.log(
      `one sweep over ${state.pending} pending dispatches (${sweep.window}, ${round(sweep.seconds, 2)} s under MONITOR${sweep.returned ? `, returned ${sweep.returned}` : ''}): ` +
        `${sweep.sweepCalls} Redis calls + ${sweep.sweepInScripts} commands inside scripts over the idle rate ` +
        `(${perDispatch} calls, ${perDispatchAll} commands per pending dispatch); idle: ${round(idle.calls, 1)} calls/s`,
    );
    console.log(`  by command: ${JSON.stringify(Object.fromEntries(Object.entries(sweep.commands.byCommand).slice(0, 12)))}`);

    // (b) intake with the backlog. Where the next sweep's start is known, first the time until
    // then (the backlog alone, no sweep running), which tells the backlog's cost from the sweep's.
    let betweenSweeps: IntakeLoad | null = null;
    const gapSeconds = nextSweepAt ? Math.floor((nextSweepAt - 1_000 - Date.now()) / 1000) : 0;
    if (gapSeconds >= 5) {
      betweenSweeps = await intakeLoad(INTAKE_URL, { rate: INTAKE_RATE, seconds: gapSeconds, connections: 16 });
      await sleep(Math.max(0, nextSweepAt! - 1_000 - Date.now()));
    }
    // Then the same rate for one sweep period, the sweep inside it: the figure that counts.
    const withBacklog = await intakeLoad(INTAKE_URL, { rate: INTAKE_RATE, seconds: INTAKE_SECONDS, connections: 16 });
    const ratio = round(withBacklog.p99Ms / floor.p99Ms, 2);
    console.log(
      `\n${table([
        intakeRow(`floor: no backlog, ${INTAKE_RATE}/s for ${INTAKE_SECONDS} s`, floor),
        ...(betweenSweeps ? [intakeRow(`${state.pending} pending, between sweeps (${gapSeconds} s)`, betweenSweeps)] : []),
        intakeRow(`${state.pending} pending, ${INTAKE_SECONDS} s with a sweep inside`, withBacklog),
      ])}`,
    );
    console.log(`\nintake p99 ratio backlog/floor: ${ratio}× (target ≤ ${TARGETS.p99Ratio}×); a sweep made ${perDispatch} Redis calls per pending dispatch (target: calls only for dispatches whose job is gone, here none)`);
    return {
      name: 'backlog',
      date: new Date().toISOString(),
      machine: machine(),
      // Other work on the machine skews every figure: the load average before and after.
      loadAverage: { before: loadBefore, after: loadAverage() },
      settings: { backlog: BACKLOG, intakeRate: INTAKE_RATE, intakeSeconds: INTAKE_SECONDS, sweepEveryMs: SWEEP_EVERY_MS, server: env.BENCH_SERVER ?? 'dist (this checkout)' },
      results: {
        backlog: { pending: state.pending, madeSeconds, intakePerSec: preload.acceptedPerSec, buyerAnswered: buyer.answered() },
        sweep: { ...sweep, callsPerPendingDispatch: perDispatch, commandsPerPendingDispatch: perDispatchAll, idlePerSecond: { calls: round(idle.calls, 1), inScripts: round(idle.inScripts, 1) } },
        intake: { floor, betweenSweeps, withBacklog, p99Ratio: ratio },
      },
      targets: { ...TARGETS, sweepCallsForLiveJobs: 0 },
      met: { p99Ratio: ratio <= TARGETS.p99Ratio, sweepCalls: perDispatch < 0.01 },
    };
  } finally {
    await log?.stop();
    await db.end();
    for (const p of [worker, api]) if (p) await stopProcess(p);
    buyer.server.closeAllConnections();
    buyer.server.close();
    await dropDatabase(DB);
    await removeRedisPrefix(prefix);
  }
}

function counted(window: SweepCount['window'], commands: RedisCommandCount, seconds: number, idle: { calls: number; inScripts: number }, returned: string | null): SweepCount {
  const idleCalls = Math.round(idle.calls * seconds);
  const idleInScripts = Math.round(idle.inScripts * seconds);
  return {
    window,
    seconds,
    returned,
    commands,
    idleCalls,
    idleInScripts,
    sweepCalls: Math.max(0, commands.calls - idleCalls),
    sweepInScripts: Math.max(0, commands.inScripts - idleInScripts),
  };
}
