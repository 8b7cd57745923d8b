import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { Client, Pool } from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { buildFileCopySql, fileTimestampSql } from './file-copy.query';
import { CsvLineEnds, streamCopyFile } from './file-copy.stream';
import { needsFormulaGuard, type FileSpec } from './file-row.formatter';
import { formatFile } from './file.writer';

const SERVER = 'postgres://postgres@127.0.0.1:5432';
const DATABASE = `leadrelay_test_files_${randomBytes(4).toString('hex')}`;

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: `${SERVER}/postgres` });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) parts.push(chunk);
  return Buffer.concat(parts);
}

function expectSameBytes(actual: Buffer, expected: Buffer): void {
  // Compared as text first so that a failure shows a readable diff.
  expect(actual.toString('utf8')).toBe(expected.toString('utf8'));
  expect(actual.equals(expected)).toBe(true);
}

const TRICKY: (string | null)[] = [
  'plain',
  'a,b',
  'say "hi"',
  '"',
  '""',
  'line\rbreak',
  'line\nbreak',
  'crlf\r\nend',
  'trailing\n',
  '\r',
  '\n',
  'tab\there',
  '\t',
  'José Zoë Müller',
  '😀 emoji 日本',
  '=HYPERLINK("http://evil.example")',
  '=1+2',
  '@SUM(A1)',
  '+15125550100',
  '+1 (512) 555-0100',
  '+1-1',
  '-12.5',
  '+3',
  '-1e5',
  '-',
  '+',
  '=',
  '@',
  '\t=1+2',
  '\r=1+2',
  '',
  null,
  '  leading and trailing  ',
  ' ',
  "'",
  "'=already quoted",
  "O'Brien",
  '\\.',
  '\\N',
  'NULL',
  '\\',
];

/** Deterministic, so a failure can be reproduced. */
function randomValues(count: number, seed: number): string[] {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pieces = [',', '"', '\r', '\n', '\r\n', '\t', 'é', '😀', ' ', "'", '=', '+', '-', '@', 'a', '1', '5', '.', '\\', '(', ')', 'e'];
  return Array.from({ length: count }, () => {
    let s = '';
    for (let n = Math.floor(next() * 9); n > 0; n--) s += pieces[Math.floor(next() * pieces.length)];
    return s;
  });
}

const COLUMNS = 4;
const VALUES = [...TRICKY, ...randomValues(400, 20261126)];
// Every value lands in every column position (first, middle, last) at least once.
const ROWS: (string | null)[][] = VALUES.map((_, i) => Array.from({ length: COLUMNS }, (_, k) => VALUES[(i + k * 11) % VALUES.length]));
const HEADERS = ['first', 'sec,ond', 'th"ird', 'fourth'];
const SELECT = `select c0, c1, c2, c3 from tricky order by ord`;

/** What each value must read back as: itself, with `'` in front where the guard applies. */
function readBack(value: string | null, formulaGuard: boolean): string {
  const text = value ?? '';
  return formulaGuard && needsFormulaGuard(text) ? `'${text}` : text;
}

const SPECS: FileSpec[] = [];
for (const format of ['csv', 'tsv'] as const)
  for (const quote of ['needed', 'all'] as const)
    for (const header of [true, false]) SPECS.push({ format, quote, header, formulaGuard: true, headers: HEADERS });
SPECS.push({ format: 'csv', quote: 'needed', header: true, formulaGuard: false, headers: HEADERS });
SPECS.push({ format: 'tsv', quote: 'all', header: false, formulaGuard: false, headers: HEADERS });

const label = (s: FileSpec) => `${s.format}, quote ${s.quote}, header ${s.header ? 'on' : 'off'}, guard ${s.formulaGuard ? 'on' : 'off'}`;

describe('files made by PostgreSQL (COPY) and by the JS writer', () => {
  let pool: Pool;

  beforeAll(async () => {
    await admin(`create database ${DATABASE}`);
    pool = new Pool({ connectionString: `${SERVER}/${DATABASE}`, max: 2 });
    await pool.query('create table tricky (ord int primary key, c0 text, c1 text, c2 text, c3 text)');
    await pool.query(
      'insert into tricky select * from unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[])',
      [ROWS.map((_, i) => i), ...Array.from({ length: COLUMNS }, (_, k) => ROWS.map((r) => r[k]))],
    );
  });

  afterAll(async () => {
    await pool?.end();
    await admin(`drop database if exists ${DATABASE} with (force)`);
  });

  it.each(SPECS.map((s) => [label(s), s] as const))('give the same bytes, which csv-parse reads back exactly: %s', async (_, spec) => {
    const js = formatFile(ROWS, spec);
    const sql = await collect(streamCopyFile(pool, SELECT, spec));
    expectSameBytes(sql, js);

    const records: string[][] = parse(js, { delimiter: spec.format === 'csv' ? ',' : '\t', record_delimiter: '\r\n', relax_column_count: false });
    const expected = ROWS.map((row) => row.map((v) => readBack(v, spec.formulaGuard)));
    expect(records).toEqual(spec.header ? [HEADERS, ...expected] : expected);
  });

  it('ends every line with CRLF, and has no BOM', async () => {
    const spec = SPECS[0];
    const file = await collect(streamCopyFile(pool, `select 'a', 'b', 'c', 'd' from generate_series(1, 3)`, spec));
    expect(file.toString()).toBe('first,"sec,ond","th""ird",fourth\r\na,b,c,d\r\na,b,c,d\r\na,b,c,d\r\n');
  });

  it('agree on one-column files, where COPY quotes a lone \\. and an empty value is an empty line', async () => {
    await pool.query('create table tricky_one (ord int, c text)');
    await pool.query('insert into tricky_one select * from unnest($1::int[], $2::text[])', [TRICKY.map((_, i) => i), TRICKY]);
    for (const quote of ['needed', 'all'] as const) {
      const spec: FileSpec = { format: 'csv', quote, header: false, formulaGuard: true, headers: ['only'] };
      const js = formatFile(TRICKY.map((v) => [v]), spec);
      expectSameBytes(await collect(streamCopyFile(pool, 'select c from tricky_one order by ord', spec)), js);
      const records: string[][] = parse(js, { record_delimiter: '\r\n', skip_empty_lines: false });
      expect(records.map((r) => r[0] ?? '')).toEqual(TRICKY.map((v) => readBack(v, true)));
    }
  });

  it('agree on numbers, booleans and nulls kept in jsonb (`data ->> name`) and on timestamps', async () => {
    const leads = [
      { n: -12.5, b: true, s: '+3', at: new Date('2024-01-02T03:04:05.678Z') },
      { n: 0, b: false, s: null, at: new Date('1999-12-31T23:59:59.999Z') },
      { n: 1234567.891, b: null, s: '=1', at: new Date('2026-11-26T00:00:00.000Z') },
      { n: 42, b: true, s: '', at: new Date('2024-07-01T12:00:00.001Z') },
    ];
    await pool.query('create table leads_json (ord int, data jsonb, received_at timestamptz)');
    for (const [i, { at, ...data }] of leads.entries()) await pool.query('insert into leads_json values ($1, $2, $3)', [i, JSON.stringify(data), at]);
    const spec: FileSpec = { format: 'csv', quote: 'needed', header: true, formulaGuard: true, headers: ['n', 'b', 's', 'received_at'] };
    const select = `select data->>'n', data->>'b', data->>'s', ${fileTimestampSql('received_at')} from leads_json order by ord`;
    const js = formatFile(leads.map((l) => [l.n, l.b, l.s, l.at]), spec);
    expectSameBytes(await collect(streamCopyFile(pool, select, spec)), js);
    expect(js.toString()).toBe(
      'n,b,s,received_at\r\n-12.5,true,+3,2024-01-02T03:04:05.678Z\r\n0,false,,1999-12-31T23:59:59.999Z\r\n1234567.891,,\'=1,2026-11-26T00:00:00.000Z\r\n42,true,,2024-07-01T12:00:00.001Z\r\n',
    );
  });

  it('fixes line ends the same however the COPY output is cut into chunks', async () => {
    const spec = SPECS[2]; // csv, quote all: the most quote bytes to track
    const client = await pool.connect();
    try {
      const raw = await collect(client.query(copyTo(buildFileCopySql(SELECT, COLUMNS, spec))));
      const whole = await collect(Readable.from([raw]).pipe(new CsvLineEnds()));
      expectSameBytes(whole, formatFile(ROWS, { ...spec, header: false }));
      for (const size of [1, 2, 3, 7, 64]) {
        const pieces: Buffer[] = [];
        for (let i = 0; i < raw.length; i += size) pieces.push(raw.subarray(i, i + size));
        expectSameBytes(await collect(Readable.from(pieces).pipe(new CsvLineEnds())), whole);
      }
    } finally {
      client.release();
    }
  });

  it('streams from a client the caller owns, leaving it usable', async () => {
    const client = await pool.connect();
    try {
      const spec = SPECS[4];
      expectSameBytes(await collect(streamCopyFile(client, SELECT, spec)), formatFile(ROWS, spec));
      expect((await client.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
    } finally {
      client.release();
    }
  });

  it('gives the pool its client back when the reader goes away early or the query fails', async () => {
    const small = new Pool({ connectionString: `${SERVER}/${DATABASE}`, max: 1 });
    try {
      const spec = SPECS[0];
      const big = streamCopyFile(small, `select g::text, 'x', 'y', 'z' from generate_series(1, 2000000) g`, spec);
      await new Promise<void>((resolve) => big.once('data', () => resolve()));
      big.destroy();
      // With max 1, this waits forever unless the abandoned client was released.
      expect((await small.query('select 1 as one')).rows).toEqual([{ one: 1 }]);

      await expect(collect(streamCopyFile(small, 'select no_such_column, 1, 2, 3', spec))).rejects.toThrow(/no_such_column/);
      expect((await small.query('select 2 as two')).rows).toEqual([{ two: 2 }]);
    } finally {
      await small.end();
    }
  });

  it('refuses a file without columns', () => {
    expect(() => buildFileCopySql('select 1', 0, SPECS[0])).toThrow('a file needs at least one column');
  });
});
