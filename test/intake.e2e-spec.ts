import { sql, startTestServer, type TestServer } from './support/test-server';

describe('intake (docs/api.md › Intake)', () => {
  let server: TestServer;
  const url = () => `${server.url}/v1/campaigns/intake-test/leads`;
  const post = (body: string, headers: Record<string, string> = {}, path = url()) =>
    fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'intake-key', ...headers }, body });
  const count = async (table: string) => Number((await sql(server.databaseUrl, `select count(*)::int as n from ${table}`))[0].n);

  beforeAll(async () => {
    server = await startTestServer('intake');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('accepts a JSON lead: 201, one dispatch per delivery, normalised values stored', async () => {
    const res = await post(
      JSON.stringify({
        first_name: '  Ana ',
        email: ' Ana@Example.COM ',
        phone: '(512) 555-0100',
        zip: '78701-1234',
        state: 'texas',
        bill: '142.50',
        homeowner: 'yes',
        birth_date: '03/31/1980',
        utm_source: 'kept-raw',
      }),
    );
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(body).toMatchObject({ campaign: 'intake-test', id: expect.any(String), receivedAt: expect.any(String) });
    expect(body.dispatches.map((d: any) => [d.delivery, d.status]).sort()).toEqual([
      ['backup', 'pending'],
      ['download', 'pending'],
    ]);
    const [lead] = await sql(server.databaseUrl, 'select * from lead where id = $1', [body.id]);
    expect(lead.data).toEqual({
      first_name: 'Ana',
      email: 'ana@example.com',
      phone: '5125550100',
      zip: '78701-1234',
      state: 'TX',
      bill: 142.5,
      homeowner: true,
      birth_date: '1980-03-31',
    });
    expect(lead.raw.utm_source).toBe('kept-raw');
    expect(lead.campaign_version).toMatch(/^[0-9a-f]{16}$/);
    const dispatches = await sql(server.databaseUrl, 'select * from dispatch where lead_id = $1', [body.id]);
    expect(dispatches.map((d) => d.id).sort()).toEqual(body.dispatches.map((d: any) => d.id).sort());
  });

  it('accepts a form-encoded lead the way web forms post it', async () => {
    const res = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': 'second-key' },
      body: new URLSearchParams({ first_name: 'Bo', email: 'bo@example.com', phone: '+1 512 555 0100', state: 'tx' }).toString(),
    });
    expect(res.status).toBe(201);
    const { id } = await res.json();
    const [lead] = await sql(server.databaseUrl, 'select data from lead where id = $1', [id]);
    expect(lead.data).toMatchObject({ first_name: 'Bo', phone: '5125550100', state: 'TX', zip: null });
  });

  it('refuses a lead missing a required field and with bad typed values: 422 naming each field, nothing stored', async () => {
    const before = [await count('lead'), await count('dispatch')];
    const res = await post(JSON.stringify({ email: 'not-an-email', phone: '555-01', zip: 'ABCDE', homeowner: 'maybe' }));
    expect(res.status).toBe(422);
    const body = await res.json();
    expect(body.error).toBe('invalid');
    expect(body.errors.map((e: any) => e.field).sort()).toEqual(['email', 'first_name', 'homeowner', 'phone', 'zip']);
    for (const e of body.errors) expect(typeof e.message).toBe('string');
    expect([await count('lead'), await count('dispatch')]).toEqual(before);
  });

  it('answers 401 for a missing or wrong key, and a key of another campaign does not work', async () => {
    const lead = JSON.stringify({ first_name: 'A', email: 'a@example.com' });
    expect((await post(lead, { 'x-api-key': '' })).status).toBe(401);
    expect((await post(lead, { 'x-api-key': 'wrong' })).status).toBe(401);
    const res = await post(lead, { 'x-api-key': 'other-key' });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'unauthorized', message: expect.any(String) });
  });

  it('answers 404 for an unknown campaign', async () => {
    const res = await post('{}', {}, `${server.url}/v1/campaigns/nope/leads`);
    expect(res.status).toBe(404);
    expect((await res.json()).error).toBe('not_found');
  });

  it('answers 413 for a 100 KB body and 400 for malformed bodies, storing nothing', async () => {
    const before = await count('lead');
    const big = JSON.stringify({ first_name: 'x'.repeat(100 * 1024), email: 'a@example.com' });
    const res = await post(big);
    expect(res.status).toBe(413);
    expect((await res.json()).error).toBe('payload_too_large');
    expect((await post('{"first_name": "A",')).status).toBe(400);
    expect((await post('[1,2]')).status).toBe(400);
    expect((await post('"text"')).status).toBe(400);
    expect(await count('lead')).toBe(before);
  });

  it('treats __proto__ keys and nested values as data, never as code', async () => {
    const res = await post('{"first_name":"P","email":"p@example.com","__proto__":{"polluted":true},"constructor":{"x":1}}');
    expect(res.status).toBe(422);
    expect(({} as any).polluted).toBeUndefined();
    const ok = await post('{"first_name":"P","email":"p@example.com","__proto__":"x"}');
    expect(ok.status).toBe(201);
    const [lead] = await sql(server.databaseUrl, 'select raw from lead where id = $1', [(await ok.json()).id]);
    expect(lead.raw.__proto__).toBe('x');
  });
});
