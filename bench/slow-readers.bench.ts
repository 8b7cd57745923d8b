import * as http from 'node:http';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import {
  ADMIN_TOKEN,
  dropDatabase,
  generatedLeadsCte,
  intakeKeptUp,
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
} from './support/bench-kit';

/**
 * R11 slow readers (quality.md): READERS exports (`GET /v1/campaigns/{id}/export`, docs/api.md) of
 * a campaign holding EXPORT_LEADS leads, each read by a client at READ_RATE bytes/s (the socket
 * paused and resumed to hold that rate, so the server meets backpressure), while intake runs at a
 * steady INTAKE_RATE leads/s on the same api process. Three intake windows of INTAKE_SECONDS:
 *
 * 1. the floor: intake alone;
 * 2. the exports start INTAKE_SECONDS / 4 into it (each first fills the buffers between PostgreSQL
 *    and its reader as fast as they take it);
 * 3. steady: every export's COPY waits on its reader (PostgreSQL shows it in `ClientWrite`).
 *
 * Target: intake p99 ≤ 50 ms; anything refused answers (a 503 counts as a refusal), nothing hangs
 * (autocannon's 10 s time-out counts as one). The exports must outlast the run: how many were still
 * streaming at its end, and how many COPYs PostgreSQL was running, are printed.
 */
const READERS = Number(process.env.BENCH_SLOW_READERS ?? 10);
const READ_RATE = Number(process.env.BENCH_READ_BYTES_PER_S ?? 10_240);
// Enough that no export fits in the buffers between PostgreSQL and the reader (about 8 MB on
// loopback: socket buffers both ways, stream buffers): 50,000 leads (7 MB) did, and their COPYs
// ended at once; with 200,000 (28 MB) each COPY waits on its reader for the whole run.
const EXPORT_LEADS = Number(process.env.BENCH_EXPORT_LEADS ?? 200_000);
const INTAKE_RATE = 200;
const INTAKE_SECONDS = Number(process.env.BENCH_INTAKE_S ?? 20);
const PORT = 3501;
const CAMPAIGN = 'bench';
const DB = 'leadrelay_bench_slow_readers';
const TARGETS = { maxIntakeP99Ms: 50 };
const BASE = `http://127.0.0.1:${PORT}`;

interface SlowReader {
  status: number | null;
  /** From the request to the answer's headers, ms. */
  headersMs: number | null;
  bytes: number;
  ended: boolean;
  error: string | null;
  stop: () => void;
  bytesPerSec: () => number;
}

/** GETs `url` and reads it at `rate` bytes/s: the response is paused whenever it is ahead of that. */
function slowReader(url: string, rate: number): SlowReader {
  const started = performance.now();
  const reader: SlowReader = {
    status: null,
    headersMs: null,
    bytes: 0,
    ended: false,
    error: null,
    stop: () => req.destroy(),
    bytesPerSec: () => Math.round(reader.bytes / ((performance.now() - started) / 1000)),
  };
  const req = http.get(url, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, agent: false }, (res) => {
    reader.status = res.statusCode ?? null;
    reader.headersMs = Math.round(performance.now() - started);
    res.on('data', (chunk: Buffer) => {
      reader.bytes += chunk.length;
      const ahead = (reader.bytes / rate) * 1000 - (performance.now() - started);
      if (ahead > 0) {
        res.pause();
        setTimeout(() => res.resume(), ahead);
      }
    });
    res.on('end', () => (reader.ended = true));
    res.on('error', () => undefined);
  });
  req.on('error', (err) => (reader.error ??= err.message));
  return reader;
}

/** The export COPYs PostgreSQL is running for this database (each holds a pool connection), and how many wait on their reader. */
async function copies(db: Client): Promise<{ running: number; waitingOnReader: number }> {
  const { rows } = await db.query(
    `select count(*)::int as running, count(*) filter (where wait_event = 'ClientWrite')::int as "waitingOnReader"
       from pg_stat_activity where datname = $1 and query ilike 'copy%' and state <> 'idle'`,
    [DB],
  );
  return rows[0];
}

export async function main() {
  const prefix = `bench_slow_readers_${Date.now()}`;
  const env = serverEnv(DB, 'campaigns', prefix, { HOST: '127.0.0.1' });
  const loadBefore = loadAverage();
  await dropDatabase(DB);
  // The server creates and migrates the database and applies the campaign; the leads go in with SQL.
  let server = await startServer('api', PORT, env);
  const readers: SlowReader[] = [];
  const db = new Client({ connectionString: env.DATABASE_URL });
  try {
    await db.connect();
    await db.query(`${generatedLeadsCte(CAMPAIGN, 1, EXPORT_LEADS)} select count(*) from new_lead`);
    await db.query('vacuum analyze lead');
    await db.query('checkpoint');
    // Restarted so that the load's work (and its garbage) is not the server's.
    await stopProcess(server);
    server = await startServer('api', PORT, env);
    const intakeUrl = `${BASE}/v1/campaigns/${CAMPAIGN}/leads`;
    const intake = () => intakeLoad(intakeUrl, { rate: INTAKE_RATE, seconds: INTAKE_SECONDS, connections: 16 });

    await intakeLoad(intakeUrl, { rate: INTAKE_RATE, seconds: 5, connections: 16 }); // warm-up: JIT, pools
    const alone = await intake();
    console.log(`1. intake alone at ${INTAKE_RATE}/s: p99 ${alone.p99Ms} ms`);

    const startingLoad = intake();
    await sleep((INTAKE_SECONDS * 1000) / 4);
    for (let i = 0; i < READERS; i++) readers.push(slowReader(`${BASE}/v1/campaigns/${CAMPAIGN}/export`, READ_RATE));
    const starting = await startingLoad;
    console.log(`2. while ${READERS} exports start: p99 ${starting.p99Ms} ms`);

    const settleBy = Date.now() + 30_000;
    let held = await copies(db);
    while (held.waitingOnReader < READERS && Date.now() < settleBy) {
      await sleep(250);
      held = await copies(db);
    }
    const steadyLoad = intake();
    await sleep((INTAKE_SECONDS * 1000) / 2);
    const midRun = await copies(db);
    const steady = await steadyLoad;
    console.log(`3. with ${midRun.waitingOnReader} COPYs waiting on their readers: p99 ${steady.p99Ms} ms`);
    const health = await fetch(`${BASE}/health`, { signal: AbortSignal.timeout(5_000) }).then(
      (r) => r.status,
      () => 'no answer within 5 s',
    );
    const streaming = readers.filter((r) => r.status === 200 && !r.ended && !r.error).length;
    const readerRates = readers.map((r) => r.bytesPerSec());
    const answered = readers.filter((r) => r.status !== null);
    for (const r of readers) r.stop();

    const worst = steady.p99Ms > starting.p99Ms ? steady : starting;
    const ratio = round(worst.p99Ms / alone.p99Ms, 2);
    const maxHeadersMs = answered.length ? Math.max(...answered.map((r) => r.headersMs ?? 0)) : null;
    console.log(
      `\n${table([
        intakeRow(`1. floor: alone, ${INTAKE_RATE}/s for ${INTAKE_SECONDS} s`, alone),
        intakeRow(`2. ${READERS} exports (${round(READ_RATE / 1024, 1)} KB/s each) start ${INTAKE_SECONDS / 4} s in`, starting),
        intakeRow(`3. ${READERS} exports streaming, COPYs waiting on readers`, steady),
      ])}`,
    );
    console.log(
      `\nexports of ${EXPORT_LEADS} leads: ${answered.length}/${READERS} answered (statuses ${[...new Set(answered.map((r) => r.status))].join(', ')}, ` +
        `headers after ${maxHeadersMs} ms at most), ${streaming} still streaming at the end, ` +
        `read at ${Math.min(...readerRates)}–${Math.max(...readerRates)} B/s; mid-run PostgreSQL ran ${midRun.running} COPYs, ${midRun.waitingOnReader} waiting on their reader; /health after: ${health}`,
    );
    console.log(`intake p99 with slow readers, worse window: ${worst.p99Ms} ms (target ≤ ${TARGETS.maxIntakeP99Ms} ms; ${ratio}× the floor's ${alone.p99Ms} ms)`);
    // A hang: intake falling behind its rate or timing out, or an export that never answered.
    const noHang = intakeKeptUp(starting) && intakeKeptUp(steady) && answered.length === READERS;
    if (!noHang) console.log(`HANG: intake kept its rate: ${intakeKeptUp(starting)} (exports starting), ${intakeKeptUp(steady)} (steady); exports answered: ${answered.length}/${READERS}`);
    return {
      name: 'slow-readers',
      date: new Date().toISOString(),
      machine: machine(),
      // Other work on the machine skews every figure: the load average before and after.
      loadAverage: { before: loadBefore, after: loadAverage() },
      settings: { readers: READERS, readBytesPerSec: READ_RATE, exportLeads: EXPORT_LEADS, intakeRate: INTAKE_RATE, intakeSeconds: INTAKE_SECONDS, server: env.BENCH_SERVER ?? 'dist (this checkout)' },
      results: {
        intake: { alone, exportsStarting: starting, exportsSteady: steady, worstP99Ratio: ratio },
        exports: {
          answered: answered.length,
          statuses: answered.map((r) => r.status),
          maxHeadersMs,
          stillStreamingAtEnd: streaming,
          bytesPerSec: readerRates,
          bytes: readers.map((r) => r.bytes),
          errors: readers.map((r) => r.error).filter(Boolean),
          copiesMidRun: midRun,
        },
        healthAfter: health,
      },
      targets: TARGETS,
      met: { intakeP99: worst.p99Ms <= TARGETS.maxIntakeP99Ms, noHang, exportsOutlastedRun: streaming === READERS },
    };
  } finally {
    for (const r of readers) r.stop();
    await db.end().catch(() => undefined);
    await stopProcess(server);
    await dropDatabase(DB);
    await removeRedisPrefix(prefix);
  }
}
