import { startTestServer, type TestServer } from './support/test-server';

/** docs/api.md › Leads: a lead's dispatches come in the order its campaign declares its deliveries. */
describe('dispatch order in the admin API', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('dispatch_order');
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('lists dispatches as intake answered them (declared order, not by name)', async () => {
    const accepted = await fetch(`${server.url}/v1/campaigns/intake-test/leads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'intake-key' },
      body: JSON.stringify({ first_name: 'Ordered', email: 'ordered@example.com' }),
    }).then((r) => r.json());
    const declared = accepted.dispatches.map((d: { delivery: string }) => d.delivery);
    // 'download' is declared before 'backup': an order by name would put them the other way round.
    expect(declared).toEqual(['download', 'backup']);

    const lead = await fetch(`${server.url}/v1/leads/${accepted.id}`, { headers: server.admin }).then((r) => r.json());
    expect(lead.dispatches.map((d: { delivery: string }) => d.delivery)).toEqual(declared);
    const page = await fetch(`${server.url}/v1/campaigns/intake-test/leads`, { headers: server.admin }).then((r) => r.json());
    const listed = page.items.find((l: { id: string }) => l.id === accepted.id);
    expect(listed.dispatches.map((d: { id: string }) => d.id)).toEqual(accepted.dispatches.map((d: { id: string }) => d.id));
  });
});
