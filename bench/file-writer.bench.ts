/**
 * B3's decision, measured: where the bytes of a 1,000,000-lead CSV are made. Time to last byte into
 * a null sink and peak RSS of the process making the file, for
 *   (a) psql `\copy (select …) to stdout csv header` (the baseline),
 *   (b) a cursor (DECLARE/FETCH) → the project's JS writer (`createFileStream`),
 *   (c) the same cursor → fast-csv,
 *   (d) PostgreSQL writes the file (`streamCopyFile`: COPY csv + guard in SQL, `\r\n` fixed in JS),
 *       with quote `needed` and with quote `all` (the line-end fix has more quotes to track).
 * Each contender runs in its own process, in rounds, interleaved; the table shows medians.
 * Child processes run plain JS transpiled beforehand, so the TypeScript compiler is not in the
 * RSS measured. `npm run bench -- file-writer` → bench/results/file-writer.json.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { format as fastCsvFormat } from 'fast-csv';
import { Client } from 'pg';
import { createFileStream, fileTimestampSql, streamCopyFile, type FileSpec } from '@leadrelay/files';
import { dropDatabase, machine, recreateDatabase, ROOT, table } from './support/bench-kit';

const LEADS = 1_000_000;
const ROUNDS = 3;
const FETCH_SIZE = 5000;
const HEADERS = ['first_name', 'last_name', 'email', 'phone', 'address', 'city', 'state', 'zip', 'lead_id', 'received_at'];
// No ORDER BY: a sort of 1M rows would cost every contender alike and hide the differences.
const SELECT = `select first_name, last_name, email, phone, address, city, state, zip, id::text, ${fileTimestampSql('received_at')} from bench_leads`;
const SPEC: FileSpec = { format: 'csv', quote: 'needed', header: true, formulaGuard: true, headers: HEADERS };

type Contender = 'psql' | 'js-writer' | 'fast-csv' | 'copy' | 'copy-quote-all';
const CONTENDERS: Contender[] = ['psql', 'js-writer', 'fast-csv', 'copy', 'copy-quote-all'];

interface Run {
  ms: number;
  cpuMs: number;
  /** The PostgreSQL backend's CPU for the query (null when /proc cannot tell). */
  dbCpuMs: number | null;
  peakRssMB: number;
  bytes: number;
}

/** Leads as the intake stores them (phones normalised to 10 digits), with some awkward values. */
const GENERATE = `
  create table bench_leads as
  select g as seq, gen_random_uuid() as id,
    (array['James','Mary','José','Zoë','Patricia','Robert','Jennifer','Michael'])[1 + g % 8]
      || case when g % 997 = 0 then ', Jr.' when g % 1999 = 0 then '=HYPERLINK("x")' else '' end as first_name,
    (array['Smith','Johnson','O''Brien','García','Nguyen','Müller','Brown'])[1 + g % 7] as last_name,
    'user' || g || '@example.com' as email,
    (5120000000 + g % 9999999)::text as phone,
    (g % 9000 + 100) || ' Main St' || case when g % 13 = 0 then ', Apt "B"' else '' end as address,
    (array['Austin','Dallas','Houston','San Antonio'])[1 + g % 4] as city,
    (array['TX','CA','NY','FL'])[1 + g % 4] as state,
    lpad((10000 + g % 89999)::text, 5, '0') as zip,
    timestamptz '2026-01-01 00:00:00+00' + g * interval '1 second' as received_at
  from generate_series(1, ${LEADS}) g`;

/** CPU time of a process from /proc, in ms (clock ticks are 10 ms: USER_HZ is 100 on Linux). */
function ticksMs(pid: number): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

async function* cursorRows(client: Client): AsyncGenerator<unknown[]> {
  await client.query('begin');
  await client.query(`declare file_rows no scroll cursor for ${SELECT}`);
  for (;;) {
    const { rows } = await client.query<unknown[]>({ text: `fetch ${FETCH_SIZE} from file_rows`, rowMode: 'array' });
    if (rows.length === 0) break;
    yield* rows;
  }
  await client.query('commit');
}

/** One contender, in a child process: the file into a null sink. */
export async function runContender(contender: Contender, url: string): Promise<Run> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  let bytes = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      callback();
    },
  });
  const client = new Client({ connectionString: url });
  await client.connect();
  const backend: number = (await client.query('select pg_backend_pid() as pid')).rows[0].pid;
  const dbCpu = ticksMs(backend);
  switch (contender) {
    case 'js-writer':
      await pipeline(createFileStream(cursorRows(client), SPEC), sink);
      break;
    case 'fast-csv': {
      const csv = fastCsvFormat({ headers: HEADERS, rowDelimiter: '\r\n', includeEndRowDelimiter: true });
      const done = pipeline(csv, sink);
      for await (const row of cursorRows(client)) if (!csv.write(row)) await once(csv, 'drain');
      csv.end();
      await done;
      break;
    }
    case 'copy':
      await pipeline(streamCopyFile(client, SELECT, SPEC), sink);
      break;
    case 'copy-quote-all':
      await pipeline(streamCopyFile(client, SELECT, { ...SPEC, quote: 'all' }), sink);
      break;
    default:
      throw new Error(`unknown contender ${contender}`);
  }
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const dbCpuAfter = ticksMs(backend);
  await client.end();
  return {
    ms: Math.round(ms),
    cpuMs: Math.round((used.user + used.system) / 1000),
    dbCpuMs: dbCpu === null || dbCpuAfter === null ? null : dbCpuAfter - dbCpu,
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    bytes,
  };
}

/** psql itself: wall time from spawn to exit; peak RSS and CPU sampled from /proc while it runs. */
async function runPsql(url: string): Promise<Run> {
  const devNull = fs.openSync('/dev/null', 'w');
  const started = performance.now();
  const child = spawn('psql', [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', `\\copy (${SELECT}) to stdout csv header`], { stdio: ['ignore', devNull, 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  let peakKb = 0;
  let cpuMs = 0;
  const sample = () => {
    try {
      const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
      peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0));
      cpuMs = ticksMs(child.pid!) ?? cpuMs;
    } catch {
      // exited between samples
    }
  };
  const timer = setInterval(sample, 10);
  const [code] = (await once(child, 'exit')) as [number | null];
  const ms = performance.now() - started;
  clearInterval(timer);
  fs.closeSync(devNull);
  if (code !== 0) throw new Error(`psql failed: ${stderr}`);
  return { ms: Math.round(ms), cpuMs, dbCpuMs: null, peakRssMB: Math.round(peakKb / 1024), bytes: NaN };
}

/**
 * The children run JS: the bench and libs/files are transpiled once into a temp folder, and
 * `@leadrelay/files` is pointed there (the runner's in-process TypeScript hook would otherwise sit
 * in every child's RSS).
 */
function transpileForChildren(): { dir: string; boot: string } {
  const ts = require('typescript') as typeof import('typescript');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadrelay-bench-files-'));
  const sources = [
    'bench/file-writer.bench.ts',
    'bench/support/bench-kit.ts',
    ...fs.readdirSync(path.join(ROOT, 'libs/files/src')).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts')).map((f) => `libs/files/src/${f}`),
  ];
  for (const source of sources) {
    const out = ts.transpileModule(fs.readFileSync(path.join(ROOT, source), 'utf8'), {
      fileName: source,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    });
    const target = path.join(dir, source.replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, out.outputText);
  }
  const boot = `
    const Module = require('node:module');
    const [file, contender, url, lib] = process.argv.slice(1);
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) { return resolve.call(this, request === '@leadrelay/files' ? lib : request, ...rest); };
    require(file).runContender(contender, url).then((r) => process.stdout.write(JSON.stringify(r)), (e) => { console.error(e); process.exit(1); });`;
  return { dir, boot };
}

async function runChild(dir: string, boot: string, contender: Contender, url: string): Promise<Run> {
  const child = spawn(process.execPath, ['-e', boot, path.join(dir, 'bench/file-writer.bench.js'), contender, url, path.join(dir, 'libs/files/src')], {
    env: { ...process.env, NODE_PATH: path.join(ROOT, 'node_modules') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`${contender} failed:\n${err}`);
  return JSON.parse(out) as Run;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function main(): Promise<object> {
  const name = `leadrelay_bench_files_${randomBytes(4).toString('hex')}`;
  const url = await recreateDatabase(name);
  const { dir, boot } = transpileForChildren();
  try {
    const setup = new Client({ connectionString: url });
    await setup.connect();
    const t = performance.now();
    await setup.query(GENERATE);
    await setup.query('vacuum analyze bench_leads');
    await setup.end();
    console.log(`${LEADS} leads generated in ${Math.round(performance.now() - t)} ms`);

    const runs = new Map<Contender, Run[]>(CONTENDERS.map((c) => [c, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const contender of CONTENDERS) {
        const run = contender === 'psql' ? await runPsql(url) : await runChild(dir, boot, contender, url);
        runs.get(contender)!.push(run);
        console.log(`round ${round} ${contender}: ${run.ms} ms, ${run.peakRssMB} MB`);
      }
    }

    const copyBytes = runs.get('copy')![0].bytes;
    if (runs.get('js-writer')![0].bytes !== copyBytes) throw new Error('the JS writer and COPY wrote files of different sizes');
    const baselineMs = median(runs.get('psql')!.map((r) => r.ms));
    const rows = CONTENDERS.map((contender) => {
      const r = runs.get(contender)!;
      const ms = median(r.map((x) => x.ms));
      const db = r.map((x) => x.dbCpuMs).filter((x): x is number => x !== null);
      return {
        contender,
        ms,
        vsPsql: Number((ms / baselineMs).toFixed(2)),
        processCpuMs: median(r.map((x) => x.cpuMs)),
        dbCpuMs: db.length ? median(db) : null,
        peakRssMB: Math.max(...r.map((x) => x.peakRssMB)),
        msRuns: r.map((x) => x.ms).join('/'),
        bytes: contender === 'psql' ? null : r[0].bytes,
      };
    });
    console.log(table(rows));
    const copy = rows.find((r) => r.contender === 'copy')!;
    return {
      benchmark: 'B3 manual file: 1,000,000 leads as CSV to a null sink',
      machine: machine(),
      leads: LEADS,
      rounds: ROUNDS,
      columns: HEADERS,
      results: rows,
      target: { maxVsPsql: 2, maxPeakRssMB: 256 },
      chosen: 'copy',
      met: copy.vsPsql <= 2 && copy.peakRssMB <= 256,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await dropDatabase(name);
  }
}
