import { download, parseFile, postJson, snapshot, ISO_TIME } from '../files/lead-files.fixture';
import { TestBuyer } from '../support/test-buyer';
import { ADMIN_TOKEN, eventually, sql, startTestServer, type TestServer } from '../support/test-server';
import { CAMPAIGNS_DIR, echoLeads, placesHolding, submit } from './erasure.fixture';

const PRIVACY_OFFICER = 'privacy-token-5d2e81c4';
const VIEWER = 'viewer-token-0b7f3a91';

describe('erasure requests (docs/api.md › Erasures)', () => {
  const buyer = new TestBuyer();
  let server: TestServer;
  /** An erasure request, by default with the operator token `privacy`. */
  const erase = (body: unknown, token = PRIVACY_OFFICER) => postJson({ ...server, admin: { authorization: `Bearer ${token}` } }, '/v1/erasures', body);
  const erasuresAudited = () => sql(server.databaseUrl, `select actor, campaign_id, delivery_id, lead_count, detail from audit_log where action = 'erasure' order by id`);
  /** Waits until every real-time dispatch is final. */
  const settled = () =>
    eventually(async () => {
      const [{ n }] = await sql(server.databaseUrl, `select count(*)::int as n from dispatch where delivery_id = 'buyer' and status = 'pending'`);
      return n === 0;
    }, 20_000, 'real-time sends to finish');
  /** What must survive an erasure: every dispatch's status, reason and batch; how many rows of each kind. */
  const bookkeeping = async () => ({
    dispatches: await sql(server.databaseUrl, 'select id, lead_id, delivery_id, status, attempts, reason, batch_id from dispatch order by id'),
    batches: await sql(server.databaseUrl, 'select id, status, lead_count, attempts from batch order by id'),
    counts: await sql(
      server.databaseUrl,
      `select (select count(*) from lead)::int as leads, (select count(*) from dispatch_row)::int as dispatches,
              (select count(*) from attempt)::int as attempts, (select count(*) from batch)::int as batches`,
    ),
  });
  const fileRows = async (file: string) => {
    const got = await download(server, file);
    expect(got.status).toBe(200);
    const [header, ...rows] = parseFile(got.bytes, 'csv').rows;
    return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i]])));
  };

  beforeAll(async () => {
    echoLeads(buyer);
    server = await startTestServer('erasure', {
      CAMPAIGNS_DIR,
      TEST_BUYER_URL: `${await buyer.start()}/leads`,
      ADMIN_TOKENS: `privacy:${PRIVACY_OFFICER},watch:${VIEWER}:viewer,${ADMIN_TOKEN}`,
    });
  });
  afterAll(async () => {
    await server?.stop();
    await buyer.stop();
  });

  it('erases a person by email from every stored place; counts, statuses and everyone else stay', async () => {
    const jane = { first_name: 'Janelle', email: ' Jane.Doe@Example.com ', phone: '(512) 555-0100', alt_email: 'JANE.DOE@example.com' };
    const bob = { first_name: 'Bobby', email: 'bob@example.com', phone: '512-555-0111' };
    const janeRealtime = await submit(server, 'erasure-realtime', jane);
    const bobRealtime = await submit(server, 'erasure-realtime', bob);
    const janeFile = await submit(server, 'erasure-files', { first_name: 'Janelle', email: 'jane.doe@example.com' });
    const bobFile = await submit(server, 'erasure-files', bob);
    await settled();
    const batch = await postJson(server, '/v1/campaigns/erasure-files/manual-deliveries', {});
    expect(batch.status).toBe(201);
    const fileBefore = await fileRows(batch.body.file);
    expect(fileBefore.find((r) => r.lead_id === janeFile)).toMatchObject({ first_name: 'Janelle', email: 'jane.doe@example.com' });

    // The search finds her wherever she was stored: proof that it would find anything left over.
    expect(await placesHolding(server.databaseUrl, 'jane.doe@example.com')).toEqual(
      expect.arrayContaining(['attempt.captured', 'attempt.response', 'dispatch_row.captured', 'lead.data', 'lead.raw']),
    );
    // The form body sent to the buyer has her address URL-encoded.
    expect(await placesHolding(server.databaseUrl, 'jane.doe%40example.com')).toEqual(['attempt.request']);
    const [{ keys }] = await sql(server.databaseUrl, 'select count(*)::int as keys from dedupe_key where lead_id = $1', [janeRealtime]);
    expect(keys).toBe(1);
    const before = await bookkeeping();
    const bobPlaces = await placesHolding(server.databaseUrl, 'bob@example.com');

    expect(await erase({ email: 'JANE.DOE@example.com' })).toEqual({ status: 200, body: { leads: 2 } });
    // Audited: who, by which kind of value, how many leads; the value itself is nowhere (the search below covers audit_log too).
    expect(await erasuresAudited()).toEqual([{ actor: 'privacy', campaign_id: null, delivery_id: null, lead_count: 2, detail: { via: 'api', by: 'email' } }]);

    for (const needle of ['jane.doe@example.com', 'jane.doe%40example.com', 'Janelle', '5125550100', '555-0100']) {
      expect({ needle, places: await placesHolding(server.databaseUrl, needle) }).toEqual({ needle, places: [] });
    }
    expect(await sql(server.databaseUrl, 'select count(*)::int as keys from dedupe_key where lead_id = $1', [janeRealtime])).toEqual([{ keys: 0 }]);
    expect(await bookkeeping()).toEqual(before);

    // Everyone else is as they were.
    expect(await placesHolding(server.databaseUrl, 'bob@example.com')).toEqual(bobPlaces);
    expect(await sql(server.databaseUrl, 'select data, raw, erased_at from lead where id = $1', [bobRealtime])).toEqual([
      { data: { first_name: 'Bobby', email: 'bob@example.com', phone: '5125550111' }, raw: bob, erased_at: null },
    ]);

    // The API shows what is left of her lead: when it was erased, its sends' outcomes, no content.
    const lead = await (await fetch(`${server.url}/v1/leads/${janeRealtime}`, { headers: server.admin })).json();
    expect(lead).toMatchObject({ data: {}, raw: {}, source: null, erasedAt: expect.stringMatching(ISO_TIME) });
    expect(lead.dispatches).toEqual([
      expect.objectContaining({
        status: 'delivered',
        captured: null,
        attempts: [expect.objectContaining({ outcome: 'delivered', request: { method: 'POST', erased: true }, response: { status: 200, erased: true }, captured: null })],
      }),
    ]);

    // The batch's file, downloaded again, has her row with its values blank; Bob's row is unchanged.
    const fileAfter = await fileRows(batch.body.file);
    expect(fileAfter).toHaveLength(fileBefore.length);
    expect(fileAfter.find((r) => r.lead_id === janeFile)).toEqual({ ...fileBefore.find((r) => r.lead_id === janeFile), first_name: '', email: '', phone: '' });
    expect(fileAfter.find((r) => r.lead_id === bobFile)).toEqual(fileBefore.find((r) => r.lead_id === bobFile));

    // Nobody left to erase; and her duplicate key went with her, so she may come back as new.
    expect(await erase({ email: 'jane.doe@example.com' }, ADMIN_TOKEN)).toEqual({ status: 200, body: { leads: 0 } });
    expect((await erasuresAudited()).slice(-1)).toEqual([{ actor: 'token-3', campaign_id: null, delivery_id: null, lead_count: 0, detail: { via: 'api', by: 'email' } }]);
    const again = await submit(server, 'erasure-realtime', jane);
    await settled();
    expect(await sql(server.databaseUrl, 'select status from dispatch where lead_id = $1', [again])).toEqual([{ status: 'delivered' }]);
  });

  it('finds a person by a phone written in another format than any they gave; a buyer\'s reason keeps all but the number', async () => {
    buyer.handler = (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ result: 'failure', reason: 'already have (512) 555-0199 on file' }));
    };
    const realtime = await submit(server, 'erasure-realtime', { first_name: 'Patrice', email: 'pat@example.com', phone: '512.555.0199' });
    await settled();
    echoLeads(buyer);
    const file = await submit(server, 'erasure-files', { first_name: 'Patrice', phone: '+1 512 555 0199' });
    const other = await submit(server, 'erasure-files', { first_name: 'Quentin', phone: '512 555 0198' });
    expect(await sql(server.databaseUrl, 'select status, reason from dispatch where lead_id = $1', [realtime])).toEqual([
      { status: 'rejected', reason: 'already have (512) 555-0199 on file' },
    ]);

    expect(await erase({ phone: '+1 512-555-0199' })).toEqual({ status: 200, body: { leads: 2 } });

    expect(await sql(server.databaseUrl, 'select status, reason from dispatch where lead_id = $1', [realtime])).toEqual([{ status: 'rejected', reason: 'already have [erased] on file' }]);
    expect(await sql(server.databaseUrl, 'select a.outcome, a.reason from attempt a join dispatch_row d on d.id = a.dispatch_id where d.lead_id = $1', [realtime])).toEqual([
      { outcome: 'rejected', reason: 'already have [erased] on file' },
    ]);

    for (const needle of ['5125550199', '555.0199', '555 0199', '555-0199', 'Patrice', 'pat@example.com', 'pat%40example.com']) {
      expect({ needle, places: await placesHolding(server.databaseUrl, needle) }).toEqual({ needle, places: [] });
    }
    const erased = await sql(server.databaseUrl, 'select id, erased_at is not null as erased from lead where id = any($1::uuid[]) order by id', [[realtime, file, other]]);
    expect(Object.fromEntries(erased.map((r) => [r.id, r.erased]))).toEqual({ [realtime]: true, [file]: true, [other]: false });
  });

  it('erases a pending dispatch\'s lead and skips the send: nothing is left to deliver', async () => {
    const lead = await submit(server, 'erasure-files', { first_name: 'Rosalind', email: 'ros@example.com' });
    expect(await sql(server.databaseUrl, 'select status from dispatch where lead_id = $1', [lead])).toEqual([{ status: 'pending' }]);

    expect(await erase({ email: 'ros@example.com' })).toEqual({ status: 200, body: { leads: 1 } });

    expect(await sql(server.databaseUrl, 'select status, reason from dispatch where lead_id = $1', [lead])).toEqual([{ status: 'skipped', reason: 'lead erased' }]);
    expect(await placesHolding(server.databaseUrl, 'ros@example.com')).toEqual([]);
  });

  it('refuses bad input with 422 naming the problem, and a viewer with 403; neither changes anything', async () => {
    await submit(server, 'erasure-files', { first_name: 'Sybil', email: 'sybil@example.com', phone: '5125550177' });
    const everything = async () => ({
      ...(await snapshot(server.databaseUrl)),
      keys: await sql(server.databaseUrl, 'select * from dedupe_key order by key'),
      audit: await sql(server.databaseUrl, 'select * from audit_log order by id'),
    });
    const before = await everything();
    const cases: [unknown, string][] = [
      [{}, 'body'],
      [{ email: 'sybil at example.com' }, 'email'],
      [{ phone: '555-0177' }, 'phone'],
      [{ email: 'sybil@example.com', phone: '5125550177' }, 'body'],
      [{ name: 'Sybil' }, 'name'],
      [{ email: 42 }, 'email'],
    ];
    for (const [body, field] of cases) {
      const res = await erase(body);
      expect({ body, status: res.status, error: res.body.error, fields: res.body.errors?.map((e: { field: string }) => e.field) }).toEqual({
        body,
        status: 422,
        error: 'invalid',
        fields: expect.arrayContaining([field]),
      });
    }
    expect((await erase('{"email": ')).status).toBe(400);
    const anonymous = await fetch(`${server.url}/v1/erasures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'sybil@example.com' }) });
    expect(anonymous.status).toBe(401);
    const byViewer = await erase({ email: 'sybil@example.com' }, VIEWER);
    expect(byViewer).toEqual({ status: 403, body: { error: 'forbidden', message: expect.stringContaining("The token 'watch' is a viewer") } });
    expect(await everything()).toEqual(before);
    expect(await placesHolding(server.databaseUrl, 'sybil@example.com')).toEqual(['lead.data', 'lead.raw']);
  });
});
