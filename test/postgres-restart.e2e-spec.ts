import { execSync } from 'node:child_process';
import * as fs from 'node:fs';
import { Client } from 'pg';
import { startTestServer, sql, eventually, type TestServer } from './support/test-server';
import { TestBuyer } from './support/test-buyer';

const cluster = fs.existsSync('/etc/postgresql') ? fs.readdirSync('/etc/postgresql')[0] : undefined;
const pgctl = (action: 'stop' | 'start') =>
  execSync(`pg_ctlcluster --skip-systemctl-redirect ${cluster} main ${action}${action === 'stop' ? ' -m fast' : ''}`, { stdio: 'pipe' });

async function postgresUp(): Promise<boolean> {
  const c = new Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres', connectionTimeoutMillis: 1000 });
  try {
    await c.connect();
    await c.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/**
 * R4 (docs/quality.md): PostgreSQL restarted mid-run. Intake answers 503 while it is down (never 500,
 * never half a lead); everything accepted is delivered afterwards. Needs to manage the local
 * cluster (root, pg_ctlcluster), as CI does.
 */
// LEADRELAY_TEST_NO_PG_RESTART=1 skips it on a machine whose PostgreSQL others are using right now.
(cluster && !process.env.LEADRELAY_TEST_NO_PG_RESTART ? describe : describe.skip)('R4: PostgreSQL restarted mid-run', () => {
  const buyer = new TestBuyer();
  let server: TestServer;

  beforeAll(async () => {
    const url = await buyer.start();
    server = await startTestServer('pgrestart', { TEST_BUYER_URL: `${url}/leads`, SWEEP_EVERY_MS: '1000', SWEEP_GRACE_MS: '500' });
  });
  afterAll(async () => {
    if (!(await postgresUp())) pgctl('start');
    await eventually(postgresUp, 30_000, 'PostgreSQL');
    await server?.stop();
    await buyer.stop();
  });

  it('answers 503 while PostgreSQL is down and delivers everything accepted once it is back', async () => {
    const accepted: string[] = [];
    const statuses: number[] = [];
    const post = async (n: number) => {
      const res = await fetch(`${server.url}/v1/campaigns/realtime-test/leads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'rt-key' },
        body: JSON.stringify({ first_name: `Lead ${n}`, email: `lead${n}@example.com` }),
      });
      statuses.push(res.status);
      const body = await res.json();
      if (res.status === 201) accepted.push(body.id);
      else expect(body).toMatchObject({ error: 'unavailable', message: expect.any(String) });
      return res.status;
    };
    for (let i = 0; i < 20; i++) await post(i);
    pgctl('stop');
    const whileDown: number[] = [];
    for (let i = 20; i < 30; i++) whileDown.push(await post(i));
    expect(whileDown.every((s) => s === 503)).toBe(true);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(503);
    pgctl('start');
    await eventually(postgresUp, 30_000, 'PostgreSQL back');
    // The pools reconnect on their own: new leads are accepted again.
    await eventually(async () => (await post(100)) === 201, 30_000, 'intake accepting again');
    for (let i = 101; i < 120; i++) expect(await post(i)).toBe(201);
    expect(statuses.some((s) => s >= 500 && s !== 503)).toBe(false);

    // Everything accepted reaches the buyer; nothing half-written exists.
    await eventually(async () => {
      const rows = await sql(server.databaseUrl, `select count(*)::int as n from dispatch where status = 'delivered'`);
      return rows[0].n === accepted.length;
    }, 60_000, 'every accepted lead delivered');
    const leads = await sql(server.databaseUrl, 'select id from lead');
    expect(leads.map((l) => l.id).sort()).toEqual([...accepted].sort());
    const orphans = await sql(server.databaseUrl, 'select count(*)::int as n from lead l where not exists (select 1 from dispatch d where d.lead_id = l.id)');
    expect(orphans[0].n).toBe(0);
  });
});
