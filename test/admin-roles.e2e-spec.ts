import { ADMIN_TOKEN, sql, startTestServer, type TestServer } from './support/test-server';
import { MailInbox, postLead, waitFor } from './email/support/mail-inbox';
import { obliterateQueues } from './email/support/test-queues';
import { operatorState } from './support/operator-state';

const OPERATOR = 'ops-token-6f1c2a9e';
const VIEWER = 'viewer-token-93b4d7e0';

/**
 * Tokens and roles, and the audit log, over plain HTTP (docs/api.md › Tokens and roles, › Audit
 * log): a viewer reads and is refused every change; each operator action is recorded with the
 * name of the token that did it. The campaign `run-now` has a scheduled email (`nightly`), a
 * real-time one (`each-lead`) and an on-demand file (`download`); mail goes to a real SMTP server.
 */
describe('admin API: roles and the audit log', () => {
  let inbox: MailInbox;
  let server: TestServer;
  let rejectedDispatch: string;
  let failedBatch: string;
  const as = (token: string) => (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}`, ...init.headers } });
  const viewer = as(VIEWER);
  const operator = as(OPERATOR);
  const post = (name: string) => postLead(server.url, 'run-now', 'run-key', { first_name: name, email: `${name.toLowerCase()}@example.com` });
  const auditRows = () => sql(server.databaseUrl, 'select actor, action, campaign_id, delivery_id, lead_count, detail from audit_log order by id');
  const state = () => operatorState(server.databaseUrl);

  beforeAll(async () => {
    inbox = await MailInbox.start();
    server = await startTestServer('admin_roles', {
      CAMPAIGNS_DIR: 'test/campaigns-run',
      SMTP_URL: inbox.url,
      // Named tokens beside the bare one the other suites use (it is named `token-3`).
      ADMIN_TOKENS: `ops:${OPERATOR},watch:${VIEWER}:viewer,${ADMIN_TOKEN}`,
    });
    // A rejected real-time dispatch and a failed batch, for the retries.
    inbox.refuseAll = { code: 550, text: 'Mailbox unavailable' };
    const lead = await post('Ann');
    [{ id: rejectedDispatch }] = await waitFor(
      async () => {
        const rows = await sql(server.databaseUrl, `select id from dispatch where lead_id = $1 and delivery_id = 'each-lead' and status = 'rejected'`, [lead.id]);
        return rows.length ? rows : undefined;
      },
      'the real-time dispatch rejected',
    );
    const run = await (await as(ADMIN_TOKEN)('/v1/campaigns/run-now/deliveries/nightly/run', { method: 'POST' })).json();
    failedBatch = run.id;
    await waitFor(async () => ((await sql(server.databaseUrl, 'select status from batch where id = $1', [failedBatch]))[0].status === 'failed' ? true : undefined), 'the batch failed');
    inbox.refuseAll = undefined;
    await sql(server.databaseUrl, 'delete from audit_log');
  });
  afterAll(async () => {
    await server?.stop();
    if (server) await obliterateQueues(server.env);
    await inbox?.close();
  });

  it('lets a viewer read what an operator reads, the audit log included', async () => {
    for (const path of ['/v1/campaigns', '/v1/campaigns/run-now', '/v1/campaigns/run-now/leads', '/v1/campaigns/run-now/batches', `/v1/batches/${failedBatch}`, `/v1/batches/${failedBatch}/file`, '/v1/audit']) {
      const [mine, theirs] = [await viewer(path), await operator(path)];
      expect([path, mine.status]).toEqual([path, 200]);
      expect(await mine.text()).toEqual(await theirs.text());
    }
  });

  it('refuses a viewer every change with 403 naming its token, and changes nothing', async () => {
    const before = await state();
    const mailed = inbox.server.received.length;
    const changes = [
      '/v1/campaigns/run-now/manual-deliveries',
      `/v1/dispatches/${rejectedDispatch}/retry`,
      `/v1/batches/${failedBatch}/retry`,
      '/v1/campaigns/run-now/deliveries/nightly/pause',
      '/v1/campaigns/run-now/deliveries/nightly/resume',
      '/v1/campaigns/run-now/deliveries/nightly/run',
    ];
    for (const path of changes) {
      const res = await viewer(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect([path, res.status]).toEqual([path, 403]);
      const body = await res.json();
      expect(body).toEqual({ error: 'forbidden', message: `The token 'watch' is a viewer: it can read but not POST ${path}. Use an operator token (docs/api.md › Tokens and roles).` });
    }
    expect(await state()).toEqual(before);
    expect(inbox.server.received).toHaveLength(mailed);
  });

  it('records every operator action in the audit log, with the name of the token that did it', async () => {
    expect(await auditRows()).toEqual([]);
    const expectOk = async (res: Promise<Response>, status: number) => {
      const answer = await res;
      const text = await answer.text();
      expect([answer.status, text]).toEqual([status, expect.any(String)]);
      return JSON.parse(text);
    };
    await expectOk(operator('/v1/campaigns/run-now/deliveries/nightly/pause', { method: 'POST' }), 200);
    await expectOk(operator('/v1/campaigns/run-now/deliveries/nightly/resume', { method: 'POST' }), 200);
    await expectOk(operator(`/v1/dispatches/${rejectedDispatch}/retry`, { method: 'POST' }), 202);
    await expectOk(operator(`/v1/batches/${failedBatch}/retry`, { method: 'POST' }), 202);
    await post('Bob');
    await post('Cy');
    const run = await expectOk(operator('/v1/campaigns/run-now/deliveries/nightly/run', { method: 'POST' }), 202);
    // The bare token acts too, under the name of its place in ADMIN_TOKENS.
    const manual = await expectOk(as(ADMIN_TOKEN)('/v1/campaigns/run-now/manual-deliveries', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }), 201);
    expect(manual.leadCount).toBe(3);
    const [{ lead_id: retriedLead }] = await sql(server.databaseUrl, 'select lead_id from dispatch where id = $1', [rejectedDispatch]);

    const via = 'api';
    expect(await auditRows()).toEqual([
      { actor: 'ops', action: 'pause', campaign_id: 'run-now', delivery_id: 'nightly', lead_count: null, detail: { via } },
      { actor: 'ops', action: 'resume', campaign_id: 'run-now', delivery_id: 'nightly', lead_count: null, detail: { via } },
      { actor: 'ops', action: 'dispatch-retry', campaign_id: 'run-now', delivery_id: 'each-lead', lead_count: 1, detail: { via, dispatch: rejectedDispatch, lead: retriedLead } },
      { actor: 'ops', action: 'batch-retry', campaign_id: 'run-now', delivery_id: 'nightly', lead_count: 1, detail: { via, batch: failedBatch } },
      { actor: 'ops', action: 'run-now', campaign_id: 'run-now', delivery_id: 'nightly', lead_count: 2, detail: { via, batch: run.id } },
      { actor: 'token-3', action: 'manual-delivery', campaign_id: 'run-now', delivery_id: 'download', lead_count: 3, detail: { via, batch: manual.id } },
    ]);
    // The pause remembers who paused.
    expect(await sql(server.databaseUrl, `select changed_by from delivery_control where delivery_id = 'nightly'`)).toEqual([{ changed_by: 'ops' }]);

    // A refused action changed nothing and is not recorded: a second retry of the same batch is a 409.
    await waitFor(async () => ((await sql(server.databaseUrl, 'select status from batch where id = $1', [failedBatch]))[0].status === 'delivered' ? true : undefined), 'the retried batch delivered');
    expect((await operator(`/v1/batches/${failedBatch}/retry`, { method: 'POST' })).status).toBe(409);
    expect(await auditRows()).toHaveLength(6);
  });

  it('pages GET /v1/audit newest first, filters by actor, action and campaign, and refuses a bad limit or cursor', async () => {
    const read = async (query: string) => {
      const res = await viewer(`/v1/audit${query}`);
      expect(res.status).toBe(200);
      return res.json();
    };
    const all = await read('');
    expect(all.items.map((i: any) => i.action)).toEqual(['manual-delivery', 'run-now', 'batch-retry', 'dispatch-retry', 'resume', 'pause']);
    expect(all.nextCursor).toBeNull();
    expect(all.items[0]).toEqual({
      id: expect.stringMatching(/^\d+$/),
      at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      actor: 'token-3',
      action: 'manual-delivery',
      campaign: 'run-now',
      delivery: 'download',
      leadCount: 3,
      detail: { via: 'api', batch: expect.any(String) },
    });

    const pages: string[][] = [];
    let cursor = '';
    do {
      const page = await read(`?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      pages.push(page.items.map((i: any) => i.action));
      cursor = page.nextCursor ?? '';
    } while (cursor);
    expect(pages).toEqual([['manual-delivery', 'run-now', 'batch-retry', 'dispatch-retry'], ['resume', 'pause']]);

    expect((await read('?actor=token-3')).items.map((i: any) => i.action)).toEqual(['manual-delivery']);
    expect((await read('?action=pause')).items.map((i: any) => i.actor)).toEqual(['ops']);
    expect((await read('?campaign=nope')).items).toEqual([]);

    for (const query of ['?limit=0', '?limit=501', '?limit=x', '?cursor=not-ours']) {
      const res = await viewer(`/v1/audit${query}`);
      expect([query, res.status, (await res.json()).error]).toEqual([query, 400, 'bad_request']);
    }
    for (const headers of [{}, { authorization: 'Bearer wrong' }] as Record<string, string>[]) {
      expect((await fetch(`${server.url}/v1/audit`, { headers })).status).toBe(401);
    }
  });
});
