import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { eventually, sql, startTestServer, type TestServer } from '../support/test-server';
import { TestBuyer } from '../support/test-buyer';
import { TestPluginsModule } from './test-plugins.module';

/**
 * The host runs plugins it has never heard of: two plugins defined only in this folder, one real
 * time and one on demand with its own batch send, go through intake, the engine, retries, batches,
 * the admin API and operator retry without a line of host code naming them.
 */
describe('plugins defined outside the host deliver through it unchanged', () => {
  const buyer = new TestBuyer();
  let folder: string;
  let server: TestServer;

  beforeAll(async () => {
    await buyer.start();
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'leadrelay-drop-'));
    server = await startTestServer(
      'plugin_contract',
      { CAMPAIGNS_DIR: 'test/campaigns-plugins', RELAY_URL: `${buyer.url}/relay`, DROP_FOLDER: path.join(folder, 'box') },
      { plugins: [TestPluginsModule] },
    );
  });

  afterAll(async () => {
    await server?.stop();
    await buyer.stop();
    fs.rmSync(folder, { recursive: true, force: true });
  });

  const post = (lead: Record<string, string>, wait = 0) =>
    fetch(`${server.url}/v1/campaigns/plugin-test/leads${wait ? `?wait=${wait}` : ''}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'plugin-key' },
      body: JSON.stringify(lead),
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
  const admin = (p: string, init: RequestInit = {}) =>
    fetch(`${server.url}${p}`, { ...init, headers: { ...server.admin, 'content-type': 'application/json', ...(init.headers ?? {}) } }).then(async (r) => ({
      status: r.status,
      body: r.headers.get('content-type')?.includes('json') ? await r.json() : await r.text(),
    }));

  it('shows each delivery with its plugin and mode, read from the registry as data', async () => {
    const { body } = await admin('/v1/campaigns/plugin-test');
    expect(body.deliveries).toEqual([
      expect.objectContaining({ id: 'relay', plugin: 'relay-post', mode: 'realtime', summary: `relay to ${buyer.url}/relay` }),
      expect.objectContaining({ id: 'drop', plugin: 'drop-box', mode: 'on-demand' }),
    ]);
  });

  it('delivers a real-time dispatch through the plugin, retrying a 5xx by the host setting', async () => {
    let calls = 0;
    buyer.handler = (_req, res) => {
      calls += 1;
      res.statusCode = calls === 1 ? 503 : 200;
      res.end(calls === 1 ? 'busy' : 'ref-42');
    };
    const { status, body } = await post({ first_name: 'Ana', email: 'ana@example.com', zip: '78701' }, 10_000);
    expect(status).toBe(201);
    expect(body.dispatches.find((d: any) => d.delivery === 'relay')).toMatchObject({ status: 'delivered' });
    expect(body.dispatches.find((d: any) => d.delivery === 'drop')).toMatchObject({ status: 'pending' });
    const lead = (await admin(`/v1/leads/${body.id}`)).body;
    const relay = lead.dispatches.find((d: any) => d.delivery === 'relay');
    expect(relay.reference).toBe('ref-42');
    expect(relay.attempts.map((a: any) => a.outcome)).toEqual(['retry', 'delivered']);
    expect(JSON.parse(relay.attempts[1].request.body)).toEqual({ first_name: 'Ana', email: 'ana@example.com', zip: '78701' });
  });

  it('gives up after the attempts of the host retry setting, and an operator retry starts over', async () => {
    buyer.handler = (_req, res) => {
      res.statusCode = 500;
      res.end('down');
    };
    const { body } = await post({ first_name: 'Bo', email: 'bo@example.com' }, 10_000);
    const relay = body.dispatches.find((d: any) => d.delivery === 'relay');
    expect(relay).toMatchObject({ status: 'failed', reason: 'gave up after 3 attempt(s): status 500' });
    buyer.handler = (_req, res) => res.end('ok');
    expect((await admin(`/v1/dispatches/${relay.id}/retry`, { method: 'POST' })).status).toBe(202);
    await eventually(async () => (await sql(server.databaseUrl, 'select status from dispatch where id = $1', [relay.id]))[0].status === 'delivered', 10_000, 'operator retry');
  });

  it('a manual delivery of an on-demand plugin with its own send: claimed, sent by the plugin, refused for good, retried by an operator', async () => {
    const pending = await sql<{ n: number }>(server.databaseUrl, `select count(*)::int as n from dispatch where delivery_id = 'drop' and status = 'pending'`);
    expect(pending[0].n).toBe(2);
    const made = await admin('/v1/campaigns/plugin-test/manual-deliveries', { method: 'POST', body: '{}' });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ leadCount: 2, status: 'pending' });
    const batchId = made.body.id;
    // The folder does not exist yet: the plugin refuses, the batch fails after one attempt, no retry.
    const failed = await eventually(async () => {
      const b = (await admin(`/v1/batches/${batchId}`)).body;
      return b.status === 'failed' ? b : undefined;
    }, 10_000, 'the batch to fail');
    expect(failed).toMatchObject({ mode: 'on-demand', delivery: 'drop', plugin: 'drop-box', attempts: 1, reason: `no folder ${path.join(folder, 'box')}` });
    expect(await sql(server.databaseUrl, `select status, reason from dispatch where batch_id = $1`, [batchId])).toEqual([
      { status: 'failed', reason: `no folder ${path.join(folder, 'box')}` },
      { status: 'failed', reason: `no folder ${path.join(folder, 'box')}` },
    ]);

    fs.mkdirSync(path.join(folder, 'box'));
    expect((await admin(`/v1/batches/${batchId}/retry`, { method: 'POST' })).status).toBe(202);
    const delivered = await eventually(async () => {
      const b = (await admin(`/v1/batches/${batchId}`)).body;
      return b.status === 'delivered' ? b : undefined;
    }, 10_000, 'the batch to be delivered');
    const dropped = fs.readFileSync(path.join(folder, 'box', delivered.options.fileName));
    const file = await fetch(`${server.url}/v1/batches/${batchId}/file`, { headers: server.admin });
    expect(Buffer.from(await file.arrayBuffer()).equals(dropped)).toBe(true);
    expect(dropped.toString('utf8').split('\r\n')[0]).toBe('first_name,email,zip,lead_id');
    expect(await sql(server.databaseUrl, `select distinct status from dispatch where batch_id = $1`, [batchId])).toEqual([{ status: 'delivered' }]);
    const attempts = await sql(server.databaseUrl, `select outcome from attempt where batch_id = $1 order by at, id`, [batchId]);
    expect(attempts.map((a) => a.outcome)).toEqual(['rejected', 'delivered']);
  });
});
