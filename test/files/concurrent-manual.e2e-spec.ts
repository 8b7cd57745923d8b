import { sql, startTestServer, type TestServer } from '../support/test-server';
import { CAMPAIGNS_DIR, download, insertLeads, parseFile, postJson } from './lead-files.fixture';

const LEADS = 5_000;
const PRESSES = 20;

/** R5 (docs/quality.md): many people pressing Manual Delivery at once never share a lead, nor lose one. */
describe('R5: 20 manual deliveries of the same campaign at once', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('files_r5', { CAMPAIGNS_DIR });
    await insertLeads(server.databaseUrl, 'single-file', ['download'], LEADS, `jsonb_build_object('name', 'Lead ' || g, 'email', 'lead' || g || '@example.com', 'city', 'Austin')`);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('puts each of 5,000 pending leads in exactly one batch: none in two, none in none', async () => {
    const answers = await Promise.all(
      Array.from({ length: PRESSES }, (_, i) => postJson(server, '/v1/campaigns/single-file/manual-deliveries', { format: i % 2 ? 'tsv' : 'csv', header: false })),
    );
    // A press that finds every lead already claimed by another makes no batch (409 nothing_pending).
    const made = answers.filter((a) => a.status === 201);
    expect(answers.filter((a) => a.status !== 201).map((a) => [a.status, a.body.error])).toEqual(Array(PRESSES - made.length).fill([409, 'nothing_pending']));
    const batchIds = made.map((a) => a.body.id);
    expect(new Set(batchIds).size).toBe(made.length);
    expect(made.every((a) => a.body.leadCount > 0)).toBe(true);
    expect(made.reduce((sum, a) => sum + a.body.leadCount, 0)).toBe(LEADS);

    // The database: every dispatch delivered, in one of these batches, each batch's count right.
    const dispatches = await sql(server.databaseUrl, `select status, batch_id from dispatch where campaign_id = 'single-file'`);
    expect(dispatches).toHaveLength(LEADS);
    expect(dispatches.filter((d) => d.status !== 'delivered' || !batchIds.includes(d.batch_id))).toEqual([]);
    const counts = await sql(server.databaseUrl, `select id, lead_count, (select count(*)::int from dispatch d where d.batch_id = b.id) as n from batch b where campaign_id = 'single-file'`);
    expect(counts).toHaveLength(made.length);
    for (const c of counts) expect(c.n).toBe(c.lead_count);

    // The files: together they hold every lead once.
    const seen = new Map<string, string>();
    for (const [i, a] of answers.entries()) {
      if (a.status !== 201) continue;
      const { rows } = parseFile((await download(server, a.body.file)).bytes, i % 2 ? 'tsv' : 'csv');
      expect(rows).toHaveLength(a.body.leadCount);
      for (const row of rows) {
        expect(seen.get(row[3])).toBeUndefined();
        seen.set(row[3], a.body.id);
      }
    }
    expect(seen.size).toBe(LEADS);
    const leads = await sql(server.databaseUrl, `select id from lead where campaign_id = 'single-file'`);
    expect(leads.every((l) => seen.has(l.id))).toBe(true);
  });
});
