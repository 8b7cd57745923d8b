import { sql, startTestServer, type TestServer } from '../support/test-server';
import {
  AWKWARD_LEADS,
  CAMPAIGNS_DIR,
  download,
  expectQuoting,
  inFile,
  insertLead,
  ISO_TIME,
  parseFile,
  postJson,
  snapshot,
  submitLead,
  type SubmittedLead,
} from './lead-files.fixture';

/** The `download` delivery of files-test: its own field list and order, under its mapped headings. */
const DOWNLOAD_FIELDS = ['email', 'first_name', 'last_name', 'company', 'notes', 'phone_text', 'amount'];
const DOWNLOAD_HEADER = ['email', 'First Name', 'last_name', 'company', 'notes', 'Phone', 'Amount', 'lead_id', 'received_at'];

const byReceipt = (a: SubmittedLead, b: SubmittedLead) => (a.receivedAt === b.receivedAt ? (a.id < b.id ? -1 : 1) : a.receivedAt < b.receivedAt ? -1 : 1);

describe('manual delivery (docs/api.md › Admin API, File formats)', () => {
  let server: TestServer;
  const manual = (campaign: string, body: unknown) => postJson(server, `/v1/campaigns/${campaign}/manual-deliveries`, body);
  const submitAwkward = async () => {
    const leads: (SubmittedLead & { inFile?: Record<string, string> })[] = [];
    for (const lead of AWKWARD_LEADS) leads.push({ ...(await submitLead(server, 'files-test', lead.data)), inFile: lead.inFile });
    return leads.sort(byReceipt);
  };

  beforeAll(async () => {
    server = await startTestServer('files_manual', { CAMPAIGNS_DIR });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it.each([
    ['csv', 'needed', true],
    ['csv', 'all', false],
    ['tsv', 'needed', false],
    ['tsv', 'all', true],
  ] as const)('delivers the pending leads as %s, quote %s, header %s: read back exactly', async (format, quote, header) => {
    const leads = await submitAwkward();
    const made = await manual('files-test', { delivery: 'download', format, quote, header });
    expect(made.status).toBe(201);
    expect(made.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), leadCount: leads.length, file: `/v1/batches/${made.body.id}/file`, status: 'delivered' });

    const file = await download(server, made.body.file);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe(format === 'csv' ? 'text/csv; charset=utf-8' : 'text/tab-separated-values; charset=utf-8');
    // The delivery's file name pattern, with the batch filled in.
    expect(file.headers.get('content-disposition')).toBe(`attachment; filename="files-test-download-${made.body.id}.${format}"`);
    expect(file.bytes.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
    expect(file.bytes.subarray(-2).toString()).toBe('\r\n');

    const parsed = parseFile(file.bytes, format);
    const rows = leads.map((lead) => [...DOWNLOAD_FIELDS.map((f) => inFile(lead, f)), lead.id, lead.receivedAt]);
    expect(parsed.rows).toEqual(header ? [DOWNLOAD_HEADER, ...rows] : rows);
    expectQuoting(parsed, format, quote);
    for (const row of rows) expect(row[row.length - 1]).toMatch(ISO_TIME);
  });

  it('writes values intake would trim (leading tab and CR) as text, and plain numbers as they are', async () => {
    const id = await insertLead(
      server.databaseUrl,
      'files-test',
      ['download', 'backup'],
      { first_name: '\tTabbed', last_name: '\rCarriage', email: 'raw@example.com', company: '-0.25', notes: '+44 20 7946 0958', phone_text: '+1-1', amount: '1e5' },
      '2026-02-01T10:00:00.123Z',
    );
    const made = await manual('files-test', { delivery: 'download', format: 'tsv', quote: 'needed', header: false });
    expect(made.body.leadCount).toBe(1);
    const { rows } = parseFile((await download(server, made.body.file)).bytes, 'tsv');
    expect(rows).toEqual([['raw@example.com', "'\tTabbed", "'\rCarriage", '-0.25', '+44 20 7946 0958', "'+1-1", '1e5', id, '2026-02-01T10:00:00.123Z']]);
  });

  it('moves exactly the pending dispatches of that delivery to delivered, and nothing else', async () => {
    // Pending work elsewhere: the other delivery of this campaign, and a delivery of the same id in another campaign.
    const mine = [await submitLead(server, 'files-test', { first_name: 'Ann', email: 'ann@example.com' }), await submitLead(server, 'files-test', { first_name: 'Ben', email: 'ben@example.com' })];
    await submitLead(server, 'single-file', { name: 'Other campaign', email: 'other@example.com' });
    const before = await snapshot(server.databaseUrl);
    const pendingBefore = (before.dispatch as any[]).filter((d) => d.campaign_id === 'files-test' && d.delivery_id === 'download' && d.status === 'pending');
    expect(pendingBefore.map((d) => d.lead_id).sort()).toEqual(mine.map((l) => l.id).sort());

    const made = await manual('files-test', { delivery: 'download' });
    expect(made.status).toBe(201);
    expect(made.body.leadCount).toBe(2);

    const after = await snapshot(server.databaseUrl);
    const claimed = new Set(pendingBefore.map((d) => d.id));
    for (const [b, a] of (before.dispatch as any[]).map((d, i) => [d, (after.dispatch as any[])[i]])) {
      if (claimed.has(b.id)) {
        expect(a).toMatchObject({ id: b.id, status: 'delivered', batch_id: made.body.id, lead_id: b.lead_id, delivery_id: 'download' });
      } else {
        expect(a).toEqual(b);
      }
    }
    expect(after.dispatch).toHaveLength(before.dispatch.length);
    expect(after.lead).toEqual(before.lead);
    const [batch] = await sql(server.databaseUrl, 'select * from batch where id = $1', [made.body.id]);
    expect(batch).toMatchObject({ campaign_id: 'files-test', delivery_id: 'download', mode: 'on-demand', status: 'delivered', lead_count: 2 });
    // The console and the lead API show who delivered it and when: one attempt on the batch.
    const attempts = await sql(server.databaseUrl, 'select outcome from attempt where batch_id = $1', [made.body.id]);
    expect(attempts).toEqual([{ outcome: 'delivered' }]);
    const lead = await (await fetch(`${server.url}/v1/leads/${mine[0].id}`, { headers: server.admin })).json();
    expect(lead.dispatches.find((d: any) => d.delivery === 'download')).toMatchObject({ status: 'delivered', batch: made.body.id });
    expect(lead.dispatches.find((d: any) => d.delivery === 'backup')).toMatchObject({ status: 'pending', batch: null });
  });

  it('answers 409 when nothing is pending; with allowEmpty a 0-lead batch whose file is the header row alone, or empty', async () => {
    await manual('files-test', { delivery: 'download' });
    const refused = await manual('files-test', { delivery: 'download', header: true, format: 'csv' });
    expect(refused).toMatchObject({ status: 409, body: { error: 'nothing_pending', message: expect.stringContaining("Delivery 'download' has no pending leads.") } });
    const withHeader = await manual('files-test', { delivery: 'download', header: true, format: 'csv', allowEmpty: true });
    expect(withHeader.status).toBe(201);
    expect(withHeader.body.leadCount).toBe(0);
    expect((await download(server, withHeader.body.file)).bytes.toString('utf8')).toBe(`${DOWNLOAD_HEADER.join(',')}\r\n`);
    const bare = await manual('files-test', { delivery: 'download', header: false, allowEmpty: true });
    expect(bare.body.leadCount).toBe(0);
    const file = await download(server, bare.body.file);
    expect(file.status).toBe(200);
    expect(file.bytes.length).toBe(0);
  });

  it('uses the delivery’s own defaults when the body leaves the options out (backup: TSV, every field)', async () => {
    const lead = await submitLead(server, 'files-test', { first_name: 'Cy', email: 'cy@example.com', bill: '142.50', homeowner: 'yes' });
    const made = await manual('files-test', { delivery: 'backup' });
    expect(made.status).toBe(201);
    const file = await download(server, made.body.file);
    // The default name: campaign, delivery, date and batch id, so no two batches share one.
    expect(file.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="files-test-backup-\\d{4}-\\d{2}-\\d{2}-${made.body.id}\\.tsv"$`));
    const { rows } = parseFile(file.bytes, 'tsv');
    expect(rows[0]).toEqual(['first_name', 'last_name', 'email', 'company', 'notes', 'phone_text', 'amount', 'bill', 'homeowner', 'lead_id', 'received_at']);
    expect(rows.find((r) => r[9] === lead.id)).toEqual(['Cy', '', 'cy@example.com', '', '', '', '', '142.5', 'true', lead.id, lead.receivedAt]);
  });

  it('lets `delivery` be left out only when the campaign has exactly one on-demand delivery', async () => {
    const lead = await submitLead(server, 'single-file', { name: 'Solo, "the one"', email: 'solo@example.com', city: 'Austin' });
    const made = await manual('single-file', {});
    expect(made.status).toBe(201);
    expect(made.body.leadCount).toBeGreaterThanOrEqual(1);
    const file = await download(server, made.body.file);
    // A file name that is not plain ASCII: an ASCII stand-in, and the real name for browsers (RFC 6266).
    const disposition = file.headers.get('content-disposition');
    const date = /(\d{4}-\d{2}-\d{2})\.csv"/.exec(disposition ?? '')?.[1];
    expect(disposition).toBe(
      `attachment; filename="Leads f_r single-file _ ${date}.csv"; filename*=UTF-8''${encodeURIComponent(`Leads für single-file — ${date}.csv`)}`,
    );
    const { rows } = parseFile(file.bytes, 'csv');
    expect(rows[0]).toEqual(['name', 'email', 'city', 'lead_id', 'received_at']);
    expect(rows).toContainEqual(['Solo, "the one"', 'solo@example.com', 'Austin', lead.id, lead.receivedAt]);
    // An empty body is the same as {}: the one delivery, now with nothing pending.
    const empty = await fetch(`${server.url}/v1/campaigns/single-file/manual-deliveries`, { method: 'POST', headers: server.admin });
    expect(empty.status).toBe(409);
    expect((await empty.json()).error).toBe('nothing_pending');

    const ambiguous = await manual('files-test', { format: 'csv' });
    expect(ambiguous.status).toBe(400);
    expect(ambiguous.body).toMatchObject({ error: 'bad_request', message: expect.stringContaining('delivery') });
    expect((await manual('no-file', {})).status).toBe(400);
    expect((await manual('no-file', { delivery: 'crm' })).status).toBe(400);
    expect((await manual('files-test', { delivery: 'nope' })).status).toBe(404);
    expect((await manual('nope', {})).status).toBe(404);
  });

  it.each([
    ['malformed JSON', '{"format": "csv",'],
    ['an array', '[1]'],
    ['a string', '"csv"'],
    ['an unknown format', { delivery: 'download', format: 'xls' }],
    ['an unknown quote', { delivery: 'download', quote: 'some' }],
    ['a header that is not a boolean', { delivery: 'download', header: 'yes' }],
    ['an allowEmpty that is not a boolean', { delivery: 'download', allowEmpty: 'yes' }],
    ['a delivery that is not a string', { delivery: 5 }],
    ['an unknown option', { delivery: 'download', delimiter: ';' }],
  ])('refuses %s with 400 and changes nothing', async (_what, body) => {
    await submitLead(server, 'files-test', { first_name: 'Kept', email: 'kept@example.com' });
    const before = await snapshot(server.databaseUrl);
    const res = await manual('files-test', body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'bad_request', message: expect.any(String) });
    expect(await snapshot(server.databaseUrl)).toEqual(before);
  });
});
