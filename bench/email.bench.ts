/**
 * B4 email batch (quality.md), against the built server (`npm run build` first):
 *
 * 1. The server runs as a child process (dist/, role `worker`, its own fresh database) with
 *    SMTP_URL pointing at a local SMTP server in this process that takes every byte and answers 250.
 * 2. 100,000 pending leads are loaded with SQL in the shape intake writes them, and one scheduled
 *    tick is run in the server (`BatchDeliveries.tick`, asked for over IPC so the time is the
 *    tick's own): claim the leads into a batch, build the CSV (PostgreSQL COPY), zip it (it is over
 *    the default `zipOver` of 10 MB), send it, record the outcome. Timed until the mail server has
 *    accepted the message and the batch is `delivered`; the server's RSS sampled from /proc.
 * 3. Baselines in the same run, writing the same rows (the batch's leads, its columns, file
 *    order) to /dev/null from this process: the project's JS file writer (libs/files
 *    `createFileStream`, rows from a cursor) — the brief's baseline —, fast-csv (quality.md's),
 *    and PostgreSQL COPY through `streamCopyFile` (what the server itself uses, for orientation).
 *
 * Rounds alternate tick and baselines (3 of each, medians). The received message is parsed and
 * unzipped once at the end to check it holds every lead. `node bench/run.js email` →
 * bench/results/email.json. Nothing is asserted: the table shows each figure next to its target.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import * as fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { format as fastCsvFormat } from 'fast-csv';
import { simpleParser } from 'mailparser';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import * as yauzl from 'yauzl';
import { createFileStream, fileTimestampSql, streamCopyFile, type FileSpec } from '@leadrelay/files';
import { dropDatabase, generatedLeadsCte, machine, peakRss, PG, ROOT, table } from './support/bench-kit';

const LEADS = Number(process.env.BENCH_EMAIL_LEADS ?? 100_000);
const ROUNDS = 3;
const CAMPAIGN = 'bench-email';
const DELIVERY = 'batch';
const FETCH_SIZE = 5_000;
const TARGETS = { maxVsBaseline: 3, maxPeakRssMB: 256 };
/** The email delivery's columns: every campaign field, then lead_id and received_at. */
const FIELDS = ['first_name', 'last_name', 'email', 'phone', 'zip', 'state'];
const HEADERS = [...FIELDS, 'lead_id', 'received_at'];
const SPEC: FileSpec = { format: 'csv', quote: 'needed', header: true, formulaGuard: true, headers: HEADERS };

/** Leads as intake stores them (normalised values, some awkward ones), each with its email dispatch. */
function loadSql(): string {
  return `
    ${generatedLeadsCte(CAMPAIGN, 1, LEADS)}
    insert into dispatch_row (id, lead_id, campaign_id, delivery_id, status, created_at, updated_at)
    select gen_random_uuid(), id, '${CAMPAIGN}', '${DELIVERY}', 'pending', received_at, received_at from new_lead`;
}

/** The batch's rows as BatchFiles.forBatch selects them. */
function batchSelect(batchId: string): string {
  const columns = [...FIELDS.map((f) => `l.data ->> '${f}'`), 'l.id::text', fileTimestampSql('l.received_at')];
  return `select ${columns.join(', ')} from dispatch_row d join lead l on l.id = d.lead_id
    where d.campaign_id = '${CAMPAIGN}' and d.delivery_id = '${DELIVERY}' order by l.received_at, l.id`;
}

/** A local SMTP server that takes any message, keeping the last one whole for the final check. */
async function startMailSink(): Promise<{ url: string; messages: () => number; lastMessage: () => Buffer; acceptedAt: () => number; close: () => Promise<void> }> {
  let count = 0;
  let last: Buffer[] = [];
  let acceptedAt = 0;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    closeTimeout: 100,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        count++;
        last = chunks;
        acceptedAt = performance.now();
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages: () => count,
    lastMessage: () => Buffer.concat(last),
    acceptedAt: () => acceptedAt,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The built server in a child process; it runs a tick when asked over IPC and answers how it went. */
const DRIVER = `
  require('reflect-metadata');
  const { performance } = require('node:perf_hooks');
  const { startServer } = require(process.env.BENCH_DIST + '/apps/server/src/bootstrap.js');
  const { BatchDeliveries } = require(process.env.BENCH_DIST + '/apps/server/src/engine/batch.deliveries.js');
  startServer(process.env).then(({ app }) => {
    process.on('message', async (m) => {
      if (m.stop) { await app.close(); process.exit(0); }
      const started = performance.now();
      try {
        const result = await app.get(BatchDeliveries).tick(m.campaign, m.delivery, new Date());
        process.send({ result, ms: performance.now() - started, rssMB: process.memoryUsage().rss / 1048576 });
      } catch (err) {
        process.send({ error: String(err && err.stack || err) });
      }
    });
    process.send({ ready: true, rssMB: process.memoryUsage().rss / 1048576 });
  }, (err) => { console.error(err); process.exit(1); });`;

interface ServerProcess {
  child: ChildProcess;
  idleRssMB: number;
  tick(): Promise<{ result: { batch?: string; leadCount: number }; ms: number }>;
  stop(): Promise<void>;
}

async function startServerProcess(env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['-e', DRIVER], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const next = () =>
    new Promise<any>((resolve, reject) => {
      const onExit = () => reject(new Error(`the server exited:\n${output}`));
      child.once('exit', onExit);
      child.once('message', (m: any) => {
        child.off('exit', onExit);
        if (m.error) reject(new Error(`tick failed: ${m.error}\n${output}`));
        else resolve(m);
      });
    });
  const ready = await next();
  return {
    child,
    idleRssMB: Math.round(ready.rssMB),
    tick: () => {
      const answer = next();
      child.send({ campaign: CAMPAIGN, delivery: DELIVERY });
      return answer;
    },
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.send({ stop: true });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function* cursorRows(client: Client, select: string): AsyncGenerator<unknown[]> {
  await client.query('begin');
  await client.query(`declare batch_rows no scroll cursor for ${select}`);
  for (;;) {
    const { rows } = await client.query<unknown[]>({ text: `fetch ${FETCH_SIZE} from batch_rows`, rowMode: 'array' });
    if (rows.length === 0) break;
    yield* rows;
  }
  await client.query('commit');
}

type Baseline = 'js-writer' | 'fast-csv' | 'copy';
const BASELINES: Baseline[] = ['js-writer', 'fast-csv', 'copy'];

/** One baseline: the batch's rows as a CSV into /dev/null; wall time and bytes. */
async function runBaseline(kind: Baseline, url: string, select: string): Promise<{ ms: number; bytes: number }> {
  const client = new Client({ connectionString: url });
  await client.connect();
  let bytes = 0;
  const devNull = fs.createWriteStream('/dev/null');
  const counted = async function* (source: AsyncIterable<Buffer | string>) {
    for await (const chunk of source) {
      bytes += Buffer.byteLength(chunk);
      yield chunk;
    }
  };
  const started = performance.now();
  try {
    if (kind === 'js-writer') await pipeline(createFileStream(cursorRows(client, select), SPEC), counted, devNull as Writable);
    else if (kind === 'copy') await pipeline(streamCopyFile(client, select, SPEC), counted, devNull as Writable);
    else {
      const csv = fastCsvFormat({ headers: HEADERS, rowDelimiter: '\r\n', includeEndRowDelimiter: true });
      const done = pipeline(csv, counted, devNull as Writable);
      for await (const row of cursorRows(client, select)) if (!csv.write(row)) await once(csv, 'drain');
      csv.end();
      await done;
    }
    return { ms: Math.round(performance.now() - started), bytes };
  } finally {
    await client.end();
  }
}

/** Lines in the one file of a zip, streamed. */
async function zippedLines(zip: Buffer): Promise<{ name: string; lines: number; bytes: number }> {
  const archive = await yauzl.fromBufferPromise(zip);
  let result = { name: '', lines: 0, bytes: 0 };
  for await (const entry of archive.eachEntry()) {
    let lines = 0;
    let bytes = 0;
    for await (const chunk of (await archive.openReadStreamPromise(entry)) as Readable) {
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
    }
    result = { name: entry.fileName, lines, bytes };
  }
  return result;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function main(): Promise<object> {
  const id = randomBytes(4).toString('hex');
  const dbName = `leadrelay_bench_email_${id}`;
  const url = `${PG}/${dbName}`;
  const prefix = `bench_email_${id}`;
  const mail = await startMailSink();
  await dropDatabase(dbName);
  let server: ServerProcess | undefined;
  try {
    server = await startServerProcess({
      ...process.env,
      BENCH_DIST: path.join(ROOT, 'dist'),
      DATABASE_URL: url,
      QUEUE_PREFIX: prefix,
      SMTP_URL: mail.url,
      CAMPAIGNS_DIR: path.join(ROOT, 'bench/campaigns-email'),
      LEADRELAY_ROLE: 'worker',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ADMIN_TOKENS: 'bench',
      DEMO_BUYER: 'off',
      SWEEP_EVERY_MS: '600000',
    });
    const db = new Client({ connectionString: url });
    await db.connect();
    const loadStarted = performance.now();
    await db.query(loadSql());
    await db.query('vacuum analyze lead');
    await db.query('vacuum analyze dispatch_row');
    console.log(`${LEADS} leads loaded in ${Math.round(performance.now() - loadStarted)} ms; server idle RSS ${server.idleRssMB} MB`);

    const ticks: { acceptedMs: number; ms: number; peakRssMB: number }[] = [];
    const baselines = new Map<Baseline, { ms: number; bytes: number }[]>(BASELINES.map((b) => [b, []]));
    let batchId = '';
    let fileBytes = 0;
    let zipBytes = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      if (round > 1) {
        // The same leads pending again, as if they had just arrived.
        // Deleting the batches uncovers their dispatches (a batch covers its rows by txid range).
        await db.query(`update dispatch_row set status = 'pending', batch_id = null, reference = null, attempts = 0 where delivery_id = '${DELIVERY}' and status <> 'pending'`);
        await db.query('delete from attempt where batch_id is not null');
        await db.query('delete from batch');
        await db.query('vacuum analyze dispatch_row');
      }
      const sentBefore = mail.messages();
      const asked = performance.now();
      const { result: answer, peakRssMB } = await peakRss(server.child.pid!, () => server!.tick());
      const acceptedMs = Math.round(mail.acceptedAt() - asked);
      const [batch] = (await db.query('select status, lead_count from batch where id = $1', [answer.result.batch])).rows;
      if (answer.result.leadCount !== LEADS || batch?.status !== 'delivered' || mail.messages() !== sentBefore + 1) {
        throw new Error(`round ${round}: the batch did not go out whole: ${JSON.stringify({ answer, batch, messages: mail.messages() - sentBefore })}`);
      }
      batchId = answer.result.batch!;
      const [attempt] = (await db.query('select request from attempt where batch_id = $1', [batchId])).rows;
      const sizes = /\((\d+) bytes, zip of (\d+) bytes\)/.exec(attempt.request.body);
      if (sizes) [zipBytes, fileBytes] = [Number(sizes[1]), Number(sizes[2])];
      ticks.push({ acceptedMs, ms: Math.round(answer.ms), peakRssMB });
      console.log(`round ${round} tick: accepted by SMTP after ${acceptedMs} ms, done (dispatches delivered) after ${Math.round(answer.ms)} ms, server peak RSS ${peakRssMB} MB`);
      for (const kind of BASELINES) {
        const run = await runBaseline(kind, url, batchSelect(batchId));
        baselines.get(kind)!.push(run);
        console.log(`round ${round} ${kind}: ${run.ms} ms`);
      }
    }
    await db.end();

    // The message as the buyer gets it: the zip holds the whole file, every lead a line.
    const parsed = await simpleParser(mail.lastMessage());
    const [zipped] = parsed.attachments;
    const unzipped = await zippedLines(zipped.content);
    const jsBytes = baselines.get('js-writer')![0].bytes;
    const copyBytes = baselines.get('copy')![0].bytes;
    if (unzipped.lines !== LEADS + 1 || unzipped.bytes !== copyBytes || jsBytes !== copyBytes) {
      throw new Error(`the mailed file is not the batch's file: ${JSON.stringify({ unzipped, jsBytes, copyBytes })}`);
    }

    const baselineMs = median(baselines.get('js-writer')!.map((r) => r.ms));
    const fastCsvMs = median(baselines.get('fast-csv')!.map((r) => r.ms));
    const acceptedMs = median(ticks.map((t) => t.acceptedMs));
    const tickMs = median(ticks.map((t) => t.ms));
    const peakRssMB = Math.max(...ticks.map((t) => t.peakRssMB));
    const ratio = (ms: number, base: number) => Number((ms / base).toFixed(2));
    const rows = [
      { contender: 'leadrelay tick → SMTP 250 (claim, COPY, zip, send)', ms: acceptedMs, vsBaseline: ratio(acceptedMs, baselineMs), vsFastCsv: ratio(acceptedMs, fastCsvMs), peakRssMB, msRuns: ticks.map((t) => t.acceptedMs).join('/') },
      { contender: 'leadrelay whole tick (… + 100k dispatches → delivered)', ms: tickMs, vsBaseline: ratio(tickMs, baselineMs), vsFastCsv: ratio(tickMs, fastCsvMs), peakRssMB, msRuns: ticks.map((t) => t.ms).join('/') },
      ...BASELINES.map((kind) => {
        const r = baselines.get(kind)!;
        const ms = median(r.map((x) => x.ms));
        return { contender: `baseline: ${kind} → /dev/null`, ms, vsBaseline: Number((ms / baselineMs).toFixed(2)), vsFastCsv: Number((ms / fastCsvMs).toFixed(2)), peakRssMB: '', msRuns: r.map((x) => x.ms).join('/') };
      }),
    ];
    console.log(table(rows));
    const met = acceptedMs / baselineMs <= TARGETS.maxVsBaseline && peakRssMB <= TARGETS.maxPeakRssMB;
    console.log(
      `\nB4: built and accepted in ${acceptedMs} ms = ${(acceptedMs / baselineMs).toFixed(2)}× the JS file writer (target ≤ ${TARGETS.maxVsBaseline}×), ` +
        `${(acceptedMs / fastCsvMs).toFixed(2)}× fast-csv; whole tick ${tickMs} ms; server peak RSS ${peakRssMB} MB (idle ${server.idleRssMB} MB; target ≤ ${TARGETS.maxPeakRssMB} MB); ` +
        `file ${(fileBytes / 2 ** 20).toFixed(1)} MB, zip ${(zipBytes / 2 ** 20).toFixed(1)} MB, ${unzipped.lines - 1} rows mailed → ${met ? 'met' : 'NOT met'}`,
    );
    return {
      benchmark: 'B4 email batch: one batch email of 100,000 leads built and accepted by a local SMTP server',
      date: new Date().toISOString(),
      machine: machine(),
      leads: LEADS,
      rounds: ROUNDS,
      fileBytes,
      zipBytes,
      serverIdleRssMB: server.idleRssMB,
      results: rows,
      baseline: 'js-writer (libs/files createFileStream from a cursor) → /dev/null; fast-csv and COPY shown too',
      target: TARGETS,
      met,
    };
  } finally {
    await server?.stop();
    await mail.close();
    await dropDatabase(dbName);
    const { Queue } = await import('bullmq');
    for (const name of ['dispatch', 'schedule']) {
      const q = new Queue(name, { connection: { host: '127.0.0.1', port: 6379, maxRetriesPerRequest: null }, prefix });
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close();
    }
  }
}
