import { Clock } from '@leadrelay/campaigns';
import { sql, startTestServer, type TestServer } from '../support/test-server';
import { download, parseFile, postJson, snapshot, submitLead } from './lead-files.fixture';

const CAMPAIGNS_DIR = 'test/campaigns-manual';
const DAY = '2027-03-10';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/**
 * A manual delivery that would take no lead (docs/api.md › Manual deliveries): 409 `nothing_pending`
 * and nothing stored, unless `allowEmpty` asks for a real empty batch; default file names apart.
 */
describe('manual delivery with nothing to take', () => {
  let server: TestServer;
  const manual = (body: unknown) => postJson(server, '/v1/campaigns/manual-test/manual-deliveries', body);
  const submit = (name: string) => submitLead(server, 'manual-test', { name, email: `${name.toLowerCase()}@example.com` }, 'manual-key');
  /** What a refused delivery must leave as it was: the file tables, the audit log, the cap ledger. */
  const stored = async () => ({
    ...(await snapshot(server.databaseUrl)),
    audit: await sql(server.databaseUrl, 'select * from audit_log order by id'),
    caps: await sql(server.databaseUrl, 'select * from cap_usage order by 1, 2, 3'),
  });

  beforeAll(async () => {
    server = await startTestServer('manual_nothing', { CAMPAIGNS_DIR });
    // Noon of a fixed day: the cap's window and the file names' date stay put for the whole suite.
    const clock = server.app.get(Clock);
    clock.advance(Date.parse(`${DAY}T12:00:00Z`) - clock.now().getTime());
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('answers 409 nothing_pending when no lead is pending, and stores nothing', async () => {
    const before = await stored();
    const res = await manual({ delivery: 'download' });
    expect(res).toEqual({
      status: 409,
      body: {
        error: 'nothing_pending',
        message: `Delivery 'download' has no pending leads. Nothing was delivered and no batch made. Send "allowEmpty": true to make an empty batch all the same.`,
      },
    });
    expect(await stored()).toEqual(before);
  });

  it('a second press right after a delivery is refused too: the first batch stays the only one', async () => {
    await submit('Ann');
    const first = await manual({ delivery: 'download' });
    expect(first).toMatchObject({ status: 201, body: { leadCount: 1, status: 'delivered' } });
    const before = await stored();
    expect((await manual({ delivery: 'download' })).status).toBe(409);
    expect(await stored()).toEqual(before);
  });

  it('with allowEmpty records a real 0-lead batch: its id is stored, listed and its file is the header row', async () => {
    const res = await manual({ delivery: 'download', allowEmpty: true });
    expect(res).toEqual({ status: 201, body: { id: expect.stringMatching(new RegExp(`^${UUID}$`)), leadCount: 0, file: `/v1/batches/${res.body.id}/file`, status: 'delivered' } });
    expect(await sql(server.databaseUrl, 'select lead_count, status, mode, cap_windows from batch where id = $1', [res.body.id])).toEqual([
      { lead_count: 0, status: 'delivered', mode: 'on-demand', cap_windows: null },
    ]);
    const batch = await (await fetch(`${server.url}/v1/batches/${res.body.id}`, { headers: server.admin })).json();
    expect(batch).toMatchObject({ id: res.body.id, leadCount: 0, delivery: 'download' });
    expect((await download(server, res.body.file)).bytes.toString('utf8')).toBe('name,email,lead_id,received_at\r\n');
    const [audit] = await sql(server.databaseUrl, `select action, lead_count, detail from audit_log where detail->>'batch' = $1`, [res.body.id]);
    expect(audit).toEqual({ action: 'manual-delivery', lead_count: 0, detail: { via: 'api', batch: res.body.id } });
  });

  it('under a used-up cap answers 409 naming the cap, stores nothing and returns no batch id; allowEmpty makes a real empty batch', async () => {
    for (const name of ['Cy', 'Di', 'Ed']) await submit(name);
    // Ann's dispatch from above is pending for `capped` too: the cap takes the two oldest.
    const pending = await sql(server.databaseUrl, `select d.lead_id from dispatch d join lead l on l.id = d.lead_id where d.delivery_id = 'capped' and d.status = 'pending' order by l.received_at, l.id`);
    expect(pending).toHaveLength(4);
    const first = await manual({ delivery: 'capped' });
    expect(first).toMatchObject({ status: 201, body: { leadCount: 2 } });

    const before = await stored();
    const refused = await manual({ delivery: 'capped' });
    expect(refused.status).toBe(409);
    expect(refused.body).toEqual({
      error: 'nothing_pending',
      message: `Delivery 'capped' took no lead: cap 2/day reached, so its pending leads wait for the next window. Nothing was delivered and no batch made. Send "allowEmpty": true to make an empty batch all the same.`,
    });
    expect(refused.body.id).toBeUndefined();
    expect(await stored()).toEqual(before);

    const empty = await manual({ delivery: 'capped', allowEmpty: true });
    expect(empty).toMatchObject({ status: 201, body: { leadCount: 0, status: 'delivered' } });
    expect(await sql(server.databaseUrl, 'select lead_count, cap_windows from batch where id = $1', [empty.body.id])).toEqual([{ lead_count: 0, cap_windows: null }]);
    expect(parseFile((await download(server, empty.body.file)).bytes, 'tsv').rows).toEqual([['name', 'email', 'lead_id', 'received_at']]);
    // The empty batch takes no room: the cap stays at 2, and the two newest leads still wait.
    expect(await sql(server.databaseUrl, `select sum(used)::int as used from cap_usage where delivery_id = 'capped'`)).toEqual([{ used: 2 }]);
    const waiting = await sql(server.databaseUrl, `select d.lead_id from dispatch d join lead l on l.id = d.lead_id where d.delivery_id = 'capped' and d.status = 'pending' order by l.received_at, l.id`);
    expect(waiting).toEqual(pending.slice(2));
  });

  it('names two manual deliveries of one day apart by default: campaign, delivery, date and batch id', async () => {
    const names: string[] = [];
    for (const name of ['Fay', 'Gus']) {
      await submit(name);
      const made = await manual({ delivery: 'download' });
      expect(made.status).toBe(201);
      const file = await download(server, made.body.file);
      const fileName = /filename="([^"]+)"/.exec(file.headers.get('content-disposition') ?? '')?.[1];
      expect(fileName).toBe(`manual-test-download-${DAY}-${made.body.id}.csv`);
      names.push(fileName!);
    }
    expect(new Set(names).size).toBe(2);
  });
});
