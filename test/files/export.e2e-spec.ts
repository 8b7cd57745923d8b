import { startTestServer, type TestServer } from '../support/test-server';
import {
  AWKWARD_LEADS,
  CAMPAIGNS_DIR,
  download,
  expectQuoting,
  inFile,
  insertLead,
  parseFile,
  postJson,
  snapshot,
  submitLead,
  type SubmittedLead,
} from './lead-files.fixture';

const FIELDS = ['first_name', 'last_name', 'email', 'company', 'notes', 'phone_text', 'amount', 'bill', 'homeowner'];
const HEADER = [...FIELDS, 'lead_id', 'received_at', 'download_status', 'backup_status'];

describe('export (docs/api.md › Admin API, File formats)', () => {
  let server: TestServer;
  let awkward: (SubmittedLead & { inFile?: Record<string, string> })[];
  /** Leads at known times, for the date filters: 1 to 5 January 2026, noon UTC. */
  const dated: { id: string; receivedAt: string }[] = [];
  let deliveredIds: string[];
  const exportOf = (query: string) => download(server, `/v1/campaigns/files-test/export?${query}`);
  const leadIds = (bytes: Buffer, format: 'csv' | 'tsv' = 'csv') => parseFile(bytes, format).rows.slice(1).map((r) => r[9]);

  beforeAll(async () => {
    server = await startTestServer('files_export', { CAMPAIGNS_DIR });
    for (let day = 1; day <= 5; day++) {
      const receivedAt = `2026-01-0${day}T12:00:00.000Z`;
      dated.push({ id: await insertLead(server.databaseUrl, 'files-test', ['download', 'backup'], { first_name: `Day ${day}`, email: `day${day}@example.com` }, receivedAt), receivedAt });
    }
    // The dated leads are delivered by `download`; the awkward ones come after and stay pending everywhere.
    const made = await postJson(server, '/v1/campaigns/files-test/manual-deliveries', { delivery: 'download' });
    deliveredIds = dated.map((d) => d.id);
    expect(made.body.leadCount).toBe(5);
    awkward = [];
    for (const lead of AWKWARD_LEADS) awkward.push({ ...(await submitLead(server, 'files-test', lead.data)), inFile: lead.inFile });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it.each([
    ['csv', 'needed', true],
    ['csv', 'all', true],
    ['csv', 'needed', false],
    ['csv', 'all', false],
    ['tsv', 'needed', true],
    ['tsv', 'all', true],
    ['tsv', 'needed', false],
    ['tsv', 'all', false],
  ] as const)('exports every lead as %s, quote %s, header %s: every field, lead_id, received_at, a status per delivery', async (format, quote, header) => {
    const file = await exportOf(`format=${format}&quote=${quote}&header=${header}`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="files-test-export-\\d{4}-\\d{2}-\\d{2}\\.${format}"$`));
    const parsed = parseFile(file.bytes, format);
    const rows = [
      ...dated.map((d, i) => [`Day ${i + 1}`, '', `day${i + 1}@example.com`, '', '', '', '', '', '', d.id, d.receivedAt, 'delivered', 'pending']),
      ...[...awkward]
        .sort((a, b) => (a.receivedAt === b.receivedAt ? (a.id < b.id ? -1 : 1) : a.receivedAt < b.receivedAt ? -1 : 1))
        .map((lead) => [...FIELDS.map((f) => inFile(lead, f)), lead.id, lead.receivedAt, 'pending', 'pending']),
    ];
    expect(parsed.rows).toEqual(header ? [HEADER, ...rows] : rows);
    expectQuoting(parsed, format, quote);
  });

  it('changes nothing: every dispatch, batch, attempt and lead is as it was', async () => {
    const before = await snapshot(server.databaseUrl);
    for (const query of ['', 'status=pending', 'format=tsv&quote=all', 'status=delivered&delivery=download&since=2026-01-02']) {
      expect((await exportOf(query)).status).toBe(200);
    }
    expect(await snapshot(server.databaseUrl)).toEqual(before);
  });

  it('defaults to CSV with a header row, quoted where needed', async () => {
    const file = await exportOf('');
    expect(file.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const parsed = parseFile(file.bytes, 'csv');
    expect(parsed.rows[0]).toEqual(HEADER);
    expectQuoting(parsed, 'csv', 'needed');
  });

  it('honours the status filter (with or without a delivery) and the since/until filters', async () => {
    const awkwardIds = awkward.map((l) => l.id).sort();
    // Any dispatch in that status…
    expect(leadIds((await exportOf('status=delivered')).bytes).sort()).toEqual([...deliveredIds].sort());
    expect(leadIds((await exportOf('status=pending')).bytes).sort()).toEqual([...deliveredIds, ...awkwardIds].sort());
    // …or that delivery's dispatch in that status.
    expect(leadIds((await exportOf('status=pending&delivery=download')).bytes).sort()).toEqual(awkwardIds);
    expect(leadIds((await exportOf('status=rejected')).bytes)).toEqual([]);
    // since is inclusive, until exclusive.
    expect(leadIds((await exportOf('since=2026-01-02T12:00:00Z&until=2026-01-04T12:00:00Z')).bytes)).toEqual([dated[1].id, dated[2].id]);
    expect(leadIds((await exportOf('since=2026-01-04')).bytes)).toEqual([dated[3].id, dated[4].id, ...[...awkward].sort((a, b) => (a.receivedAt + a.id < b.receivedAt + b.id ? -1 : 1)).map((l) => l.id)]);
    expect(leadIds((await exportOf('until=2026-01-03&status=delivered&format=tsv')).bytes, 'tsv')).toEqual([dated[0].id, dated[1].id]);
    // A filter that matches nothing still gives the header row.
    const none = await exportOf('since=2030-01-01');
    expect(none.bytes.toString('utf8')).toBe(`${HEADER.join(',')}\r\n`);
  });

  it.each([
    ['status=bogus', 400],
    ['since=yesterday', 400],
    ['until=2026-13-45', 400],
    ['format=xls', 400],
    ['quote=some', 400],
    ['header=maybe', 400],
  ])('answers %s with %s as JSON', async (query, status) => {
    const res = await fetch(`${server.url}/v1/campaigns/files-test/export?${query}`, { headers: server.admin });
    expect(res.status).toBe(status);
    expect((await res.json()).error).toBe('bad_request');
  });

  it('answers 404 for an unknown campaign', async () => {
    const res = await fetch(`${server.url}/v1/campaigns/nope/export`, { headers: server.admin });
    expect(res.status).toBe(404);
    expect((await res.json()).error).toBe('not_found');
  });
});
