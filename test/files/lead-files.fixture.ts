import { parse } from 'csv-parse/sync';
import { sql, type TestServer } from '../support/test-server';

/**
 * What the file suites share: leads in (through intake, or straight into the database in the
 * shape intake writes for volume), files out and read back with csv-parse — an independent
 * parser, so the writer is never checked against itself.
 */

export const CAMPAIGNS_DIR = 'test/campaigns-files';

/** What the helpers need of a running host (a TestServer, or one restarted on the same database). */
export type Host = Pick<TestServer, 'url' | 'admin' | 'databaseUrl'>;

export const KEYS: Record<string, string> = { 'files-test': 'files-key', 'single-file': 'single-key' };

export interface ParsedFile {
  rows: string[][];
  /** Per row, per value: whether the value was written in quotes. */
  quoted: boolean[][];
}

/**
 * Parses a whole file strictly: records end with `\r\n` only (a bare `\n` outside quotes would
 * end up inside a value and fail the comparison), quotes must be well formed, every row has the
 * same number of values.
 */
export function parseFile(bytes: Buffer, format: 'csv' | 'tsv'): ParsedFile {
  const quoted: boolean[][] = [];
  const rows = parse(bytes, {
    delimiter: format === 'csv' ? ',' : '\t',
    record_delimiter: '\r\n',
    quote: '"',
    escape: '"',
    bom: false,
    relax_quotes: false,
    relax_column_count: false,
    skip_empty_lines: false,
    cast: (value: string, context: { quoting: boolean; index: number; records: number }) => {
      (quoted[context.records] ??= [])[context.index] = context.quoting;
      return value;
    },
  }) as string[][];
  return { rows, quoted };
}

/** Whether a value must be quoted in the format (docs/api.md › File formats). */
export function mustQuote(value: string, format: 'csv' | 'tsv'): boolean {
  return /["\r\n]/.test(value) || value.includes(format === 'csv' ? ',' : '\t');
}

/** Checks the quoting the file was asked for: every value, or exactly the values that must be. */
export function expectQuoting(file: ParsedFile, format: 'csv' | 'tsv', quote: 'all' | 'needed'): void {
  file.rows.forEach((row, r) =>
    row.forEach((value, c) => {
      const expected = quote === 'all' || mustQuote(value, format);
      if (file.quoted[r][c] !== expected) throw new Error(`row ${r} value ${c} ${JSON.stringify(value)}: quoted ${file.quoted[r][c]}, expected ${expected}`);
    }),
  );
}

export interface Download {
  status: number;
  headers: Headers;
  bytes: Buffer;
}

export async function download(server: Host, path: string): Promise<Download> {
  const res = await fetch(`${server.url}${path}`, { headers: server.admin });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

export async function postJson(server: Host, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { ...server.admin, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

export interface SubmittedLead {
  id: string;
  receivedAt: string;
  data: Record<string, string>;
}

/** One lead through intake, as a lead source sends it (`key`: the campaign's intake key, for campaigns outside KEYS). */
export async function submitLead(server: Host, campaign: string, data: Record<string, string>, key = KEYS[campaign]): Promise<SubmittedLead> {
  const res = await fetch(`${server.url}/v1/campaigns/${campaign}/leads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify(data),
  });
  if (res.status !== 201) throw new Error(`intake answered ${res.status}: ${await res.text()}`);
  const body = await res.json();
  return { id: body.id, receivedAt: body.receivedAt, data };
}

/**
 * Leads written straight into the database, as intake writes them (one lead row, one pending
 * dispatch per delivery), for volumes where going through HTTP would only slow the suite.
 * `dataSql` is a jsonb expression over `g` (1…count); received times are `firstAt + g ms`.
 */
export async function insertLeads(
  databaseUrl: string,
  campaign: string,
  deliveries: string[],
  count: number,
  dataSql: string,
  firstAt = '2026-01-01T00:00:00Z',
): Promise<void> {
  await sql(
    databaseUrl,
    `with new_lead as (
       insert into lead (id, campaign_id, campaign_version, data, raw, received_at, source)
       select gen_random_uuid(), $1, (select version from campaign where id = $1), d.data, d.data, $4::timestamptz + g * interval '1 millisecond', null
         from generate_series(1, $3::int) g, lateral (select ${dataSql} as data) d
       returning id, received_at)
     insert into dispatch_row (id, lead_id, campaign_id, delivery_id, status, created_at, updated_at)
     select gen_random_uuid(), l.id, $1, t.delivery_id, 'pending', l.received_at, l.received_at
       from new_lead l cross join unnest($2::text[]) as t(delivery_id)`,
    [campaign, deliveries, count, firstAt],
  );
}

/** One lead with the given data and received time, in the shape intake writes (values intake would trim away included). */
export async function insertLead(databaseUrl: string, campaign: string, deliveries: string[], data: Record<string, unknown>, receivedAt: string): Promise<string> {
  const [row] = await sql(
    databaseUrl,
    `with new_lead as (
       insert into lead (id, campaign_id, campaign_version, data, raw, received_at, source)
       values (gen_random_uuid(), $1, (select version from campaign where id = $1), $3, $3, $4, null) returning id, received_at)
     insert into dispatch_row (id, lead_id, campaign_id, delivery_id, status, created_at, updated_at)
     select gen_random_uuid(), l.id, $1, t.delivery_id, 'pending', l.received_at, l.received_at
       from new_lead l cross join unnest($2::text[]) as t(delivery_id)
     returning lead_id`,
    [campaign, deliveries, JSON.stringify(data), receivedAt],
  );
  return row.lead_id;
}

/** Every row of the tables a file must not change, in a stable order. */
export async function snapshot(databaseUrl: string): Promise<Record<string, unknown[]>> {
  return {
    dispatch: await sql(databaseUrl, 'select * from dispatch order by id'),
    batch: await sql(databaseUrl, 'select * from batch order by id'),
    attempt: await sql(databaseUrl, 'select * from attempt order by id'),
    lead: await sql(databaseUrl, 'select * from lead order by id'),
  };
}

export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Leads whose values a naive writer gets wrong, each with what the file must hold where that
 * differs from the value sent: formula-leading text comes back prefixed with `'`; numbers and
 * phone numbers written as text come back exactly (docs/api.md › File formats).
 */
export const AWKWARD_LEADS: { data: Record<string, string>; inFile?: Record<string, string> }[] = [
  {
    data: {
      first_name: 'Smith, John',
      last_name: 'O"Brien "the boss"',
      email: 'john@example.com',
      company: 'Acme, Inc.',
      notes: 'line one\nline two\r\nline three',
      phone_text: '+15125550100',
      amount: '-12.5',
    },
  },
  {
    data: {
      first_name: 'Zoë',
      last_name: 'Müller-Lüdenscheidt',
      email: 'zoe@example.com',
      company: 'Café ☕ 🚀 Ltd',
      notes: 'tab\tinside, and "quotes"',
      phone_text: '+1 (512) 555-0100',
      amount: '+3',
    },
  },
  {
    data: {
      first_name: '=HYPERLINK("http://evil.example/?q=1","click me")',
      last_name: '@SUM(A1:A9)',
      email: 'formula@example.com',
      company: '-2+3',
      notes: '+cmd|" /C calc"!A0',
      phone_text: '-',
      amount: '=1+1',
    },
    inFile: {
      first_name: `'=HYPERLINK("http://evil.example/?q=1","click me")`,
      last_name: `'@SUM(A1:A9)`,
      company: `'-2+3`,
      notes: `'+cmd|" /C calc"!A0`,
      phone_text: `'-`,
      amount: `'=1+1`,
    },
  },
  {
    data: { first_name: '👩‍💻 Dev', last_name: 'a=b', email: 'dev@example.com', company: 'x@y', notes: 'ends with a quote"', phone_text: '5125550100', amount: '0.5e3' },
  },
  // Only the required fields: the others are empty in the file, never "null".
  { data: { first_name: 'Plain', email: 'plain@example.com' } },
];

/** A value as the file must hold it. */
export function inFile(lead: { data: Record<string, unknown>; inFile?: Record<string, string> }, field: string): string {
  const value = lead.inFile?.[field] ?? lead.data[field];
  return value === undefined || value === null ? '' : String(value);
}
