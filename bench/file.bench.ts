/**
 * B3 manual file (quality.md), end to end against the built server (`npm run build` first):
 *
 * 1. A fresh database migrated by the server itself; pending leads loaded with SQL
 *    (generate_series) in the shape intake writes: one lead row, one dispatch per delivery.
 * 2. Streaming, 200,000 leads: a manual delivery downloaded while the server's RSS is sampled,
 *    printed against the bytes received so far — it stays flat: the file is never held whole.
 * 3. B3, 1,000,000 leads: POST manual-deliveries then GET the file to its last byte, with a light
 *    steady intake load (~100 leads/s) running meanwhile for intake p99; the server's peak RSS.
 *    Baseline in the same run: `psql \copy (select …) to stdout csv header` of the same columns
 *    and rows (the batch's leads in file order), and the file fetched again, alternately, 3 rounds.
 *
 * `node bench/run.js file` → bench/results/file.json. No timing is asserted: the table shows each
 * figure next to its target. BENCH_STREAM_LEADS / BENCH_FILE_LEADS change the sizes;
 * BENCH_SERVER_NODE_OPTIONS passes V8 flags to the server (e.g. `--max-old-space-size=160`).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { dropDatabase, generatedLeadsCte, machine, PG, ROOT, startProcess, stopProcess, table } from './support/bench-kit';
// autocannon has no types of its own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon');

const STREAM_LEADS = Number(process.env.BENCH_STREAM_LEADS ?? 200_000);
const B3_LEADS = Number(process.env.BENCH_FILE_LEADS ?? 1_000_000);
const ROUNDS = 3;
const PORT = 3111;
const TOKEN = 'bench-admin';
const INTAKE_RATE = 100;
const CAMPAIGN = 'bench';
const TARGETS = { maxVsPsql: 2, maxPeakRssMB: 256, maxIntakeP99Ms: 50 };

const LEAD = JSON.stringify({ first_name: 'Ana', last_name: 'Lopez', email: 'Ana@Example.com', phone: '(512) 555-0100', zip: '78701', state: 'texas' });

/** The manual-file delivery's columns (bench/campaigns: every field, then lead_id and received_at). */
const FIELDS = ['first_name', 'last_name', 'email', 'phone', 'zip', 'state'];

/** Leads as intake stores them (normalised values), with a few awkward ones; both deliveries' dispatches. */
function loadSql(from: number, to: number): string {
  return `
    ${generatedLeadsCte(CAMPAIGN, from, to)}
    insert into dispatch_row (id, lead_id, campaign_id, delivery_id, status, created_at, updated_at)
    select gen_random_uuid(), l.id, '${CAMPAIGN}', t.delivery_id, case t.delivery_id when 'download' then 'pending' else 'delivered' end, l.received_at, l.received_at
      from new_lead l cross join (values ('buyer'), ('download')) as t(delivery_id)`;
}

/** The batch's rows in file order, plainly (every download dispatch is in the batch): what psql copies as the baseline. */
function baselineSelect(): string {
  return `select ${FIELDS.map((f) => `l.data ->> '${f}'`).join(', ')}, l.id, l.received_at
    from dispatch_row d join lead l on l.id = d.lead_id where d.campaign_id = '${CAMPAIGN}' and d.delivery_id = 'download' order by l.received_at, l.id`;
}

async function load(url: string, from: number, to: number): Promise<number> {
  const started = performance.now();
  const client = new Client({ connectionString: url });
  await client.connect();
  await client.query('set synchronous_commit = off');
  await client.query(loadSql(from, to));
  await client.query('vacuum (analyze) lead, dispatch_row');
  // Flush the load's WAL and dirty pages now, not while intake latency is being measured.
  await client.query('checkpoint');
  await client.end();
  return Math.round(performance.now() - started);
}

function rssMB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

interface RssSample {
  phase: string;
  /** Bytes of the file received so far. */
  bytes: number;
  rssMB: number;
}

/** The server's RSS every 50 ms while `work` runs, tagged with what was going on. */
async function sampled<T>(pid: number, now: () => { phase: string; bytes: number }, work: () => Promise<T>) {
  const samples: RssSample[] = [];
  const sample = () => samples.push({ ...now(), rssMB: rssMB(pid) });
  const timer = setInterval(sample, 50);
  try {
    sample();
    const result = await work();
    sample();
    return { result, samples };
  } finally {
    clearInterval(timer);
  }
}

const peak = (samples: RssSample[], phase?: string) => Math.max(...samples.filter((s) => !phase || s.phase === phase).map((s) => s.rssMB).filter(Number.isFinite));

/**
 * One manual delivery as an operator's script makes it: POST, then GET the file to its last byte,
 * the server's RSS sampled throughout (claim and download apart).
 */
async function manualDelivery(base: string, pid: number, minLeads: number, onDownload?: () => void) {
  const state = { phase: 'claim', bytes: 0 };
  let claimMs = 0;
  let made: { id: string; leadCount: number; file: string } | undefined;
  const run = await sampled(pid, () => ({ ...state }), async () => {
    const started = performance.now();
    const answer = await post(`${base}/v1/campaigns/${CAMPAIGN}/manual-deliveries`, { format: 'csv', quote: 'needed', header: true });
    claimMs = Math.round(performance.now() - started);
    // Leads accepted meanwhile by an intake load are pending too, and come along.
    if (answer.status !== 201 || answer.body.leadCount < minLeads) throw new Error(`manual delivery answered ${answer.status} ${JSON.stringify(answer.body)}`);
    made = answer.body;
    state.phase = 'download';
    onDownload?.();
    return downloadToNull(`${base}${answer.body.file}`, state);
  });
  return {
    batchId: made!.id,
    leads: made!.leadCount,
    bytes: run.result.bytes,
    claimMs,
    downloadMs: run.result.ms,
    totalMs: claimMs + run.result.ms,
    claimPeakRssMB: peak(run.samples, 'claim'),
    downloadPeakRssMB: peak(run.samples, 'download'),
    downloadLowRssMB: Math.min(...run.samples.filter((x) => x.phase === 'download').map((x) => x.rssMB).filter(Number.isFinite)),
    rssByBytes: timeline(run.samples.filter((x) => x.phase === 'download'), run.result.bytes),
  };
}

function post(url: string, body: unknown): Promise<{ status: number; body: any }> {
  return fetch(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({
    status: r.status,
    body: await r.json(),
  }));
}

/** GETs a file into nothing, counting bytes as they arrive (`counter.bytes`), to its last byte. */
function downloadToNull(url: string, counter: { bytes: number }): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  counter.bytes = 0;
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { authorization: `Bearer ${TOKEN}` } }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`GET ${url} answered ${res.statusCode}`));
        res.on('data', (chunk: Buffer) => (counter.bytes += chunk.length));
        res.on('end', () => resolve({ ms: Math.round(performance.now() - started), bytes: counter.bytes }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** psql itself, from spawn to exit, its output to /dev/null. */
async function psqlCopy(url: string, select: string): Promise<number> {
  const devNull = fs.openSync('/dev/null', 'w');
  const started = performance.now();
  const child = spawn('psql', [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `\\copy (${select.replace(/\s+/g, ' ')}) to stdout csv header`], { stdio: ['ignore', devNull, 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  fs.closeSync(devNull);
  if (code !== 0) throw new Error(`psql failed: ${stderr}`);
  return Math.round(performance.now() - started);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** RSS against bytes received, at about every tenth of the file: the streaming proof, in one line. */
function timeline(samples: RssSample[], total: number): string {
  const points: string[] = [];
  for (let tenth = 0; tenth <= 10; tenth++) {
    const at = samples.find((s) => s.bytes >= (total * tenth) / 10);
    if (at) points.push(`${Math.round(at.bytes / 2 ** 20)} MB→${at.rssMB}`);
  }
  return points.join(', ');
}

export async function main(): Promise<object> {
  const name = `leadrelay_bench_file_${randomBytes(4).toString('hex')}`;
  const url = `${PG}/${name}`;
  const prefix = `bench_file_${Date.now()}`;
  const base = `http://127.0.0.1:${PORT}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(PORT),
    HOST: '127.0.0.1',
    DATABASE_URL: url,
    CAMPAIGNS_DIR: path.join(ROOT, 'bench/campaigns'),
    LEADRELAY_ROLE: 'api',
    // The server as shipped runs with Node's defaults; set this to try V8 flags (e.g. a heap cap).
    NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS ?? '',
    LOG_LEVEL: 'warn',
    ADMIN_TOKENS: TOKEN,
    QUEUE_PREFIX: prefix,
    DEMO_BUYER: 'off',
  };
  const loadBefore = os.loadavg().map((x) => Number(x.toFixed(2)));
  const serverArgs = [path.join(ROOT, 'dist/apps/server/src/main.js')];
  if (!fs.existsSync(serverArgs[0])) throw new Error('dist/ is missing: run `npm run build` first');
  let server = await startProcess(serverArgs, env, `${base}/health`);
  try {
    // The server created and migrated the database and applied the campaigns; restart it after each load so its RSS starts clean.
    await stopProcess(server);
    const streamLoadMs = await load(url, 1, STREAM_LEADS);
    console.log(`${STREAM_LEADS} pending leads loaded in ${streamLoadMs} ms`);
    server = await startProcess(serverArgs, env, `${base}/health`);
    const idleRssMB = rssMB(server.pid!);

    // 2. Streaming: 200,000 leads.
    const stream = await manualDelivery(base, server.pid!, STREAM_LEADS);
    const streaming = { ...stream, idleRssMB };
    console.log(
      `streaming ${stream.leads} leads (${Math.round(stream.bytes / 2 ** 20)} MB): claim ${stream.claimMs} ms, download ${stream.downloadMs} ms; ` +
        `server RSS idle ${idleRssMB} MB, peak during claim ${stream.claimPeakRssMB} MB, during download ${stream.downloadPeakRssMB} MB`,
    );
    console.log(`  RSS (MB) against file bytes received: ${stream.rssByBytes}`);

    // 3. B3: 1,000,000 leads.
    await stopProcess(server);
    const b3LoadMs = await load(url, STREAM_LEADS + 1, STREAM_LEADS + B3_LEADS);
    console.log(`${B3_LEADS} pending leads loaded in ${b3LoadMs} ms`);
    server = await startProcess(serverArgs, env, `${base}/health`);

    const intake = (duration: number) =>
      autocannon({
        url: `${base}/v1/campaigns/${CAMPAIGN}/leads`,
        method: 'POST',
        connections: 10,
        overallRate: INTAKE_RATE,
        duration,
        headers: { 'content-type': 'application/json', 'x-api-key': 'bench-key' },
        body: LEAD,
      });
    await intake(3); // warm-up: JIT, pools
    const atRest = await intake(5);
    const b3IdleRssMB = rssMB(server.pid!);

    // A steady intake load through the claim, and another through the download, each stopped by hand.
    const duringClaimLoad = intake(3600);
    let duringDownloadLoad: ReturnType<typeof intake> | undefined;
    const b3 = await manualDelivery(base, server.pid!, B3_LEADS, () => {
      duringClaimLoad.stop();
      duringDownloadLoad = intake(3600);
    });
    duringDownloadLoad!.stop();
    const duringClaim = await duringClaimLoad;
    const duringDownload = await duringDownloadLoad!;

    // Baseline and re-downloads, alternately.
    const psqlRuns: number[] = [];
    const againRuns: number[] = [];
    let againPeak = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      psqlRuns.push(await psqlCopy(url, baselineSelect()));
      const state = { phase: 'download', bytes: 0 };
      const again = await sampled(server.pid!, () => ({ ...state }), () => downloadToNull(`${base}/v1/batches/${b3.batchId}/file`, state));
      if (again.result.bytes !== b3.bytes) throw new Error('the batch file came back with other bytes');
      againRuns.push(again.result.ms);
      againPeak = Math.max(againPeak, peak(again.samples));
      console.log(`round ${round}: psql ${psqlRuns[round - 1]} ms, file again ${again.result.ms} ms`);
    }
    const psqlMs = median(psqlRuns);
    const againMs = median(againRuns);
    const peakRssMB = Math.max(b3.claimPeakRssMB, b3.downloadPeakRssMB, againPeak);
    const vsPsql = Number((b3.totalMs / psqlMs).toFixed(2));
    const ratio = (ms: number) => Number((ms / psqlMs).toFixed(2));
    const latency = (r: any) => ({ p50ms: r.latency.p50, p99ms: r.latency.p99, maxMs: r.latency.max, requests: r.requests.total, non2xx: r.non2xx, errors: r.errors + r.timeouts });
    const intakeAtRest = latency(atRest);
    const intakeDuringClaim = latency(duringClaim);
    const intakeDuringDownload = latency(duringDownload);

    const rows = [
      { what: `psql \\copy, same columns and rows (median of ${ROUNDS})`, ms: psqlMs, vsPsql: 1, 'server peak RSS MB': '', target: '' },
      { what: 'manual delivery: POST + GET to the last byte', ms: b3.totalMs, vsPsql, 'server peak RSS MB': Math.max(b3.claimPeakRssMB, b3.downloadPeakRssMB), target: `≤ ${TARGETS.maxVsPsql}×, ≤ ${TARGETS.maxPeakRssMB} MB` },
      { what: '  POST: claim (one range row, no dispatch rewritten)', ms: b3.claimMs, vsPsql: ratio(b3.claimMs), 'server peak RSS MB': b3.claimPeakRssMB, target: '' },
      { what: '  GET: the file, streamed', ms: b3.downloadMs, vsPsql: ratio(b3.downloadMs), 'server peak RSS MB': b3.downloadPeakRssMB, target: '' },
      { what: `GET the batch file again (median of ${ROUNDS})`, ms: againMs, vsPsql: ratio(againMs), 'server peak RSS MB': againPeak, target: `≤ ${TARGETS.maxVsPsql}×, ≤ ${TARGETS.maxPeakRssMB} MB` },
    ];
    console.log(`\nB3: ${b3.leads} leads, ${Math.round(b3.bytes / 2 ** 20)} MB of CSV; server RSS idle ${b3IdleRssMB} MB; during the download, RSS (MB) against bytes received: ${b3.rssByBytes}`);
    console.log(table(rows));
    console.log(
      `RSS during the download went from ${b3.downloadPeakRssMB} MB down to ${b3.downloadLowRssMB} MB: what grows is the intake load's garbage awaiting V8's next full GC, not the file.`,
    );
    console.log(
      table([
        { intake: `at rest (${INTAKE_RATE}/s, 5 s)`, 'p50 ms': intakeAtRest.p50ms, 'p99 ms': intakeAtRest.p99ms, 'max ms': intakeAtRest.maxMs, requests: intakeAtRest.requests, 'non-2xx': intakeAtRest.non2xx, target: '' },
        ...[
          ['during the claim (POST)', intakeDuringClaim],
          ['during the download (GET)', intakeDuringDownload],
        ].map(([when, l]: any) => ({ intake: `${when}, ${INTAKE_RATE}/s`, 'p50 ms': l.p50ms, 'p99 ms': l.p99ms, 'max ms': l.maxMs, requests: l.requests, 'non-2xx': l.non2xx, target: `p99 ≤ ${TARGETS.maxIntakeP99Ms} ms` })),
      ]),
    );
    const met = {
      vsPsql: vsPsql <= TARGETS.maxVsPsql,
      downloadVsPsql: ratio(b3.downloadMs) <= TARGETS.maxVsPsql,
      peakRss: peakRssMB <= TARGETS.maxPeakRssMB,
      downloadPeakRss: Math.max(b3.downloadPeakRssMB, againPeak) <= TARGETS.maxPeakRssMB,
      intakeP99DuringClaim: intakeDuringClaim.p99ms <= TARGETS.maxIntakeP99Ms,
      intakeP99DuringDownload: intakeDuringDownload.p99ms <= TARGETS.maxIntakeP99Ms,
    };
    console.log(`\ntargets met: ${JSON.stringify(met)}`);
    return {
      benchmark: 'B3 manual file: manual delivery of 1,000,000 pending leads as CSV, built server, to the last byte',
      date: new Date().toISOString(),
      machine: machine(),
      // Other work on the machine skews every figure: the load average before and after.
      loadAverage: { before: loadBefore, after: os.loadavg().map((x) => Number(x.toFixed(2))) },
      streaming,
      b3: { ...b3, loadMs: b3LoadMs, idleRssMB: b3IdleRssMB, againMs, againRuns, psqlMs, psqlRuns, vsPsql, againVsPsql: ratio(againMs), peakRssMB, intakeAtRest, intakeDuringClaim, intakeDuringDownload },
      targets: TARGETS,
      met,
    };
  } finally {
    await stopProcess(server);
    await dropDatabase(name);
    const { Queue } = await import('bullmq');
    const q = new Queue('dispatch', { connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null }, prefix });
    await q.obliterate({ force: true }).catch(() => undefined);
    await q.close();
  }
}
