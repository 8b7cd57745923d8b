import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import { ConfigError, loadConfig } from '@leadrelay/config';
import { startServer } from '../../apps/server/src/bootstrap';
import { redisConnection } from '../../apps/server/src/common/redis-connection';
import { LeadRetention, RETENTION_LOCK } from '../../apps/server/src/engine/lead.retention';
import { SCHEDULE_QUEUE, type ScheduleJob } from '../../apps/server/src/engine/queues';
import { obliterateQueues } from '../email/support/test-queues';
import { download, insertLeads, parseFile, postJson } from '../files/lead-files.fixture';
import { TestBuyer } from '../support/test-buyer';
import { dropDatabase, eventually, sql, startTestServer, testEnv, type TestServer } from '../support/test-server';
import { CAMPAIGNS_DIR, echoLeads, submit } from './erasure.fixture';

describe('retention (docs/campaigns.md › Retention)', () => {
  const buyer = new TestBuyer();
  let server: TestServer;
  let queue: Queue<ScheduleJob>;
  const lead = async (id: string) => (await sql(server.databaseUrl, 'select data, raw, source, erased_at from lead where id = $1', [id]))[0];
  const age = (id: string, days: number) => sql(server.databaseUrl, `update lead set received_at = now() - make_interval(days => $2) where id = $1`, [id, days]);
  const statuses = () => sql(server.databaseUrl, 'select id, lead_id, status, attempts, reason, batch_id from dispatch order by id');

  beforeAll(async () => {
    echoLeads(buyer);
    // erasure-realtime keeps leads 90 days (its file says so); erasure-files has no retention of its own: RETENTION's 30 days.
    server = await startTestServer('retention', { CAMPAIGNS_DIR, TEST_BUYER_URL: `${await buyer.start()}/leads`, RETENTION: '30d' });
    queue = new Queue(SCHEDULE_QUEUE, { connection: redisConnection('redis://127.0.0.1:6379'), prefix: server.env.QUEUE_PREFIX });
  });
  afterAll(async () => {
    await queue?.close();
    if (server) await obliterateQueues(server.env);
    await server?.stop();
    await buyer.stop();
  });

  it('erases leads older than their campaign\'s window, keeps newer ones untouched and every status as it was', async () => {
    const person = (name: string) => ({ first_name: name, email: `${name.toLowerCase()}@example.com`, phone: '512-555-0142' });
    const old = await submit(server, 'erasure-realtime', person('Olga'));
    const middle = await submit(server, 'erasure-realtime', person('Mona'));
    const fresh = await submit(server, 'erasure-realtime', person('Fred'));
    const oldFile = await submit(server, 'erasure-files', person('Olaf'));
    const freshFile = await submit(server, 'erasure-files', person('Fiona'));
    await eventually(async () => (await sql(server.databaseUrl, `select count(*)::int as n from dispatch where status = 'pending' and delivery_id = 'buyer'`))[0].n === 0);
    const batch = await postJson(server, '/v1/campaigns/erasure-files/manual-deliveries', {});
    expect(batch.status).toBe(201);
    await age(old, 100);
    await age(middle, 40); // within erasure-realtime's 90 days
    await age(oldFile, 40); // past RETENTION's 30 days
    await age(freshFile, 10);
    const kept = { middle: await lead(middle), fresh: await lead(fresh), freshFile: await lead(freshFile) };
    const before = await statuses();

    expect(await server.app.get(LeadRetention).run()).toEqual({ leads: 2, batchAttempts: 0, ran: true });

    for (const id of [old, oldFile]) expect(await lead(id)).toEqual({ data: {}, raw: {}, source: null, erased_at: expect.any(Date) });
    expect({ middle: await lead(middle), fresh: await lead(fresh), freshFile: await lead(freshFile) }).toEqual(kept);
    expect(kept.middle.data).toEqual({ first_name: 'Mona', email: 'mona@example.com', phone: '5125550142' });
    expect(await statuses()).toEqual(before);
    // The old lead's send: its outcome stays, what was sent and heard does not; the kept ones' stay whole.
    const attempts = await sql(
      server.databaseUrl,
      `select d.lead_id, a.outcome, a.request, a.response, a.captured from attempt a join dispatch_row d on d.id = a.dispatch_id where d.lead_id = any($1::uuid[])`,
      [[old, middle]],
    );
    expect(attempts.find((a) => a.lead_id === old)).toEqual({ lead_id: old, outcome: 'delivered', request: { method: 'POST', erased: true }, response: { status: 200, erased: true }, captured: null });
    expect(attempts.find((a) => a.lead_id === middle)).toMatchObject({ outcome: 'delivered', captured: { contact: 'mona@example.com' }, request: { body: expect.stringContaining('Mona') } });
    // The batch's file made again: the erased lead's row is blank, the kept one's whole.
    const [header, ...rows] = parseFile((await download(server, batch.body.file)).bytes, 'csv').rows;
    const byLead = Object.fromEntries(rows.map((r) => [r[header.indexOf('lead_id')], Object.fromEntries(header.map((h, i) => [h, r[i]]))]));
    expect(byLead[oldFile]).toMatchObject({ first_name: '', email: '', phone: '' });
    expect(byLead[freshFile]).toMatchObject({ first_name: 'Fiona', email: 'fiona@example.com', phone: '5125550142' });

    // A run at rest has nothing to do.
    expect(await server.app.get(LeadRetention).run()).toEqual({ leads: 0, batchAttempts: 0, ran: true });

    // The scheduled job, through the schedule queue and its worker: a lead that came of age since is erased.
    await age(middle, 95);
    const scheduler = await queue.getJobScheduler('retention');
    expect(scheduler).toMatchObject({ every: 600_000 });
    await queue.add('retention', { kind: 'retention' });
    await eventually(async () => (await lead(middle)).erased_at !== null, 20_000, 'the retention job to erase the lead');
    expect(await lead(middle)).toEqual({ data: {}, raw: {}, source: null, erased_at: expect.any(Date) });
    expect(await lead(fresh)).toEqual(kept.fresh);
    expect(await statuses()).toEqual(before);
  });

  it('runs once at a time across instances: while another holds the run, nothing is done', async () => {
    const waiting = await submit(server, 'erasure-files', { first_name: 'Walter', email: 'walter@example.com' });
    await age(waiting, 35); // past RETENTION's 30 days, younger than the lead the first test erased
    const other = new Client({ connectionString: server.databaseUrl });
    await other.connect();
    try {
      await other.query('select pg_advisory_lock($1)', [RETENTION_LOCK]);
      expect(await server.app.get(LeadRetention).run()).toEqual({ leads: 0, batchAttempts: 0, ran: false });
      expect((await lead(waiting)).erased_at).toBeNull();
      await other.query('select pg_advisory_unlock($1)', [RETENTION_LOCK]);
    } finally {
      await other.end();
    }
    expect(await server.app.get(LeadRetention).run()).toEqual({ leads: 1, batchAttempts: 0, ran: true });
  });

  it('works through a backlog in chunks, and erases old batch send records but keeps the batch', async () => {
    // 2,500 leads (more than two chunks) written as intake writes them, one pending dispatch each: 34
    // days old, past RETENTION's 30 and younger than the leads erased above (the campaign's mark).
    const firstAt = new Date(Date.now() - 34 * 86_400_000).toISOString();
    await insertLeads(server.databaseUrl, 'erasure-files', ['download'], 2_500, `jsonb_build_object('first_name', 'Backlog ' || g, 'email', 'backlog' || g || '@example.com')`, firstAt);
    const [made] = await sql(
      server.databaseUrl,
      `insert into batch (id, campaign_id, delivery_id, mode, status, options, lead_count, attempts, created_at, updated_at)
       values (gen_random_uuid(), 'erasure-files', 'download', 'scheduled', 'delivered', '{}', 1, 1, now() - interval '33 days', now() - interval '33 days') returning id`,
    );
    await sql(
      server.databaseUrl,
      `insert into attempt (batch_id, at, duration_ms, request, response, outcome, reason)
       values ($1, now() - interval '33 days', 12, $2, $3, 'delivered', 'sent'), ($1, now() - interval '1 day', 12, $2, $3, 'delivered', 'sent')`,
      [made.id, { method: 'EMAIL', headers: { To: 'buyer@example.com' }, body: 'Leads: backlog1@example.com' }, { status: 250, headers: {}, body: '250 ok' }],
    );

    expect(await server.app.get(LeadRetention).run()).toEqual({ leads: 2_500, batchAttempts: 1, ran: true });

    expect(await sql(server.databaseUrl, `select count(*)::int as n from lead where (data ->> 'first_name') like 'Backlog %'`)).toEqual([{ n: 0 }]);
    const [{ left }] = await sql(server.databaseUrl, `select count(*)::int as left from lead where campaign_id = 'erasure-files' and received_at < now() - interval '30 days' and erased_at is null`);
    expect(left).toBe(0);
    // Their dispatches were still waiting for a download: with nothing left to send, they end as skipped.
    expect(
      await sql(server.databaseUrl, `select status, reason, count(*)::int as n from dispatch where lead_id in (select id from lead where received_at >= $1::timestamptz and received_at < $1::timestamptz + interval '3 seconds') group by 1, 2`, [firstAt]),
    ).toEqual([{ status: 'skipped', reason: 'lead erased', n: 2_500 }]);
    expect(await sql(server.databaseUrl, 'select status, lead_count from batch where id = $1', [made.id])).toEqual([{ status: 'delivered', lead_count: 1 }]);
    expect(await sql(server.databaseUrl, 'select request, response, outcome, reason from attempt where batch_id = $1 order by at', [made.id])).toEqual([
      { request: { method: 'EMAIL', erased: true }, response: { status: 250, erased: true }, outcome: 'delivered', reason: 'sent' },
      { request: { method: 'EMAIL', headers: { To: 'buyer@example.com' }, body: 'Leads: backlog1@example.com' }, response: { status: 250, headers: {}, body: '250 ok' }, outcome: 'delivered', reason: 'sent' },
    ]);
  });

  it('refuses a retention that is not a duration, in RETENTION and in a campaign file, naming it', async () => {
    expect(() => loadConfig({ RETENTION: '3 months' }, () => 'token')).toThrow(ConfigError);
    expect(() => loadConfig({ RETENTION: '3 months' }, () => 'token')).toThrow(/RETENTION: must be a whole number and a unit \(ms, s, m, h, d\).*not '3 months'/);

    const dir = await mkdtemp(path.join(tmpdir(), 'leadrelay-retention-'));
    const env = testEnv('retention_bad', { CAMPAIGNS_DIR: dir });
    try {
      await writeFile(
        path.join(dir, 'forever.campaign.ts'),
        `import { defineCampaign, field, manualFile } from '@leadrelay/sdk';
export default defineCampaign({ id: 'forever', name: 'F', intakeKeys: ['k'], fields: [field.text('name')], deliveries: [manualFile({ id: 'download' })], retention: '0d' as any });
`,
      );
      await expect(startServer(env)).rejects.toThrow(/forever\.campaign\.ts › retention: must be longer than 0, not '0d'/);
    } finally {
      await rm(dir, { recursive: true, force: true });
      await dropDatabase(env.DATABASE_URL!);
    }
  });
});
