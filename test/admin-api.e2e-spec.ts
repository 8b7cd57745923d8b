import { startTestServer, type TestServer } from './support/test-server';

const ADMIN_ROUTES: [string, string][] = [
  ['GET', '/v1/campaigns'],
  ['GET', '/v1/campaigns/intake-test'],
  ['GET', '/v1/campaigns/intake-test/leads'],
  ['GET', '/v1/leads/00000000-0000-0000-0000-000000000000'],
  ['POST', '/v1/dispatches/00000000-0000-0000-0000-000000000000/retry'],
  ['POST', '/v1/campaigns/intake-test/manual-deliveries'],
  ['GET', '/v1/batches/00000000-0000-0000-0000-000000000000'],
  ['GET', '/v1/batches/00000000-0000-0000-0000-000000000000/file'],
  ['POST', '/v1/batches/00000000-0000-0000-0000-000000000000/retry'],
  ['GET', '/v1/campaigns/intake-test/export'],
  ['GET', '/v1/campaigns/intake-test/batches'],
];

describe('admin API (docs/api.md › Admin API)', () => {
  let server: TestServer;
  const get = (path: string, headers = server.admin) => fetch(`${server.url}${path}`, { headers });
  const submit = (first_name: string) =>
    fetch(`${server.url}/v1/campaigns/intake-test/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'intake-key' },
      body: JSON.stringify({ first_name, email: `${first_name.toLowerCase()}@example.com` }),
    }).then((r) => r.json());

  beforeAll(async () => {
    server = await startTestServer('admin');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it.each(ADMIN_ROUTES)('%s %s → 401 without a token, and with a wrong one', async (method, path) => {
    for (const headers of [{}, { authorization: 'Bearer wrong' }, { authorization: 'test-admin-token' }] as Record<string, string>[]) {
      const res = await fetch(`${server.url}${path}`, { method, headers });
      expect(res.status).toBe(401);
      expect((await res.json()).error).toBe('unauthorized');
    }
  });

  it('lists campaigns with version, fields, deliveries and archived flag', async () => {
    const res = await get('/v1/campaigns');
    expect(res.status).toBe(200);
    const { items } = await res.json();
    const c = items.find((i: any) => i.id === 'intake-test');
    expect(c).toMatchObject({ name: 'Intake test', archived: false, version: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(c.fields.map((f: any) => f.name)).toEqual(['first_name', 'email', 'phone', 'zip', 'state', 'bill', 'homeowner', 'birth_date']);
    expect(c.deliveries.map((d: any) => [d.id, d.plugin])).toEqual([
      ['download', 'manual-file'],
      ['backup', 'manual-file'],
    ]);
    // Secrets never appear: env() references are shown by name only.
    expect(JSON.stringify(items)).not.toContain('intake-key');
    expect((await get('/v1/campaigns/intake-test')).status).toBe(200);
    expect((await get('/v1/campaigns/missing')).status).toBe(404);
  });

  it('pages leads newest first with a cursor, and shows one lead with its dispatches', async () => {
    const ids: string[] = [];
    for (const name of ['Aa', 'Bb', 'Cc', 'Dd', 'Ee']) ids.push((await submit(name)).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = await (await get(`/v1/campaigns/intake-test/leads?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      for (const item of page.items) {
        seen.push(item.id);
        expect(item.dispatches).toHaveLength(2);
      }
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.slice(0, 5)).toEqual([...ids].reverse());
    const filtered = await (await get('/v1/campaigns/intake-test/leads?status=delivered')).json();
    expect(filtered.items).toEqual([]);
    expect((await get('/v1/campaigns/intake-test/leads?status=bogus')).status).toBe(400);
    expect((await get('/v1/campaigns/intake-test/leads?cursor=garbage')).status).toBe(400);

    const lead = await (await get(`/v1/leads/${ids[0]}`)).json();
    expect(lead).toMatchObject({ id: ids[0], campaign: 'intake-test', data: { first_name: 'Aa' }, raw: { first_name: 'Aa' } });
    expect(lead.dispatches.map((d: any) => d.status)).toEqual(['pending', 'pending']);
    expect(lead.dispatches[0].attempts).toEqual([]);
    expect((await get('/v1/leads/00000000-0000-0000-0000-000000000000')).status).toBe(404);
  });

  it('answers /health with the state of PostgreSQL and Redis, without a token', async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', postgres: 'ok', redis: 'ok' });
  });
});
