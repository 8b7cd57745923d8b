import { Clock } from '@leadrelay/campaigns';
import { startServer, type StartedServer } from '../../apps/server/src/bootstrap';
import { BatchDeliveries } from '../../apps/server/src/engine/batch.deliveries';
import { ADMIN_TOKEN, dropDatabase, sql, testEnv } from '../support/test-server';
import { snapshot } from '../files/lead-files.fixture';
import { attachment, batchOf, fileRows, leadIdsOf, MailInbox, postLead, waitFor, type ReceivedMail } from './support/mail-inbox';
import { obliterateQueues } from './support/test-queues';

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

/**
 * `POST /v1/campaigns/{id}/deliveries/{delivery}/run` (docs/api.md, "Run a schedule now") against
 * a real SMTP server: the batch is the tick's own claim, so a run and a tick never share a lead.
 */
describe('run a schedule now', () => {
  let inbox: MailInbox;
  let env: NodeJS.ProcessEnv;
  let server: StartedServer;
  const running: StartedServer[] = [];
  const start = async () => {
    const s = await startServer(env);
    running.push(s);
    return s;
  };
  const run = async (campaign: string, delivery: string, on = server) => {
    const res = await fetch(`${on.url}/v1/campaigns/${campaign}/deliveries/${delivery}/run`, { method: 'POST', headers: admin });
    return { status: res.status, body: await res.json() };
  };
  const post = (name: string, campaign = 'run-now', key = 'run-key', on = server) =>
    postLead(on.url, campaign, key, { first_name: name, email: `${name.toLowerCase()}@example.com` });
  const mailsTo = (address: string) => inbox.to(address);
  const mailOf = (batchId: string) => waitFor(async () => inbox.server.received.find((m) => batchOf(m) === batchId), `the message of batch ${batchId}`);
  const idsIn = (mail: ReceivedMail) => leadIdsOf(fileRows(attachment(mail).content).slice(1));
  const batchRow = async (id: string) => (await sql(env.DATABASE_URL!, 'select * from batch where id = $1', [id]))[0];
  const delivered = (id: string) => waitFor(async () => ((await batchRow(id))?.status === 'delivered' ? batchRow(id) : undefined), `batch ${id} delivered`);
  const dispatchesOf = (delivery: string, campaign = 'run-now') =>
    sql(env.DATABASE_URL!, 'select lead_id, status, batch_id from dispatch where campaign_id = $1 and delivery_id = $2 order by lead_id', [campaign, delivery]);
  /** Real-time sends settle on their own; a snapshot taken while one is under way would differ for that reason alone. */
  const realtimeSettled = () =>
    waitFor(async () => ((await sql(env.DATABASE_URL!, `select 1 from dispatch where delivery_id = 'each-lead' and status = 'pending'`)).length ? undefined : true), 'real-time sends final');

  beforeAll(async () => {
    inbox = await MailInbox.start();
    env = testEnv('email_run_now', { CAMPAIGNS_DIR: 'test/campaigns-run', SMTP_URL: inbox.url });
    server = await start();
  });
  afterAll(async () => {
    for (const s of running) await s.app.close();
    await obliterateQueues(env);
    await inbox?.close();
    await dropDatabase(env.DATABASE_URL!);
  });

  it('sends the pending leads now as a CSV, delivers their dispatches, and a following tick sends none of them again', async () => {
    const leads = [await post('Ann'), await post('Bob'), await post('Cy')];

    const answer = await run('run-now', 'nightly');
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ id: expect.any(String), leadCount: 3, file: `/v1/batches/${answer.body.id}/file`, status: 'pending' });

    const mail = await mailOf(answer.body.id);
    expect(mail.to).toEqual(['nightly@acme.example']);
    expect(mail.parsed.subject).toBe('3 leads for Run now');
    const [header, ...rows] = fileRows(attachment(mail).content);
    expect(header).toEqual(['first_name', 'email', 'lead_id', 'received_at']);
    expect(rows).toEqual(leads.map((l, i) => [['Ann', 'Bob', 'Cy'][i], `${['ann', 'bob', 'cy'][i]}@example.com`, l.id, l.receivedAt]));

    // A batch like any tick's: scheduled, sent once, its dispatches delivered by it.
    expect(await delivered(answer.body.id)).toMatchObject({ mode: 'scheduled', delivery_id: 'nightly', lead_count: 3, attempts: 1 });
    expect(await dispatchesOf('nightly')).toEqual(
      leads.map((l) => ({ lead_id: l.id, status: 'delivered', batch_id: answer.body.id })).sort((a, b) => a.lead_id.localeCompare(b.lead_id)),
    );
    const lead = await (await fetch(`${server.url}/v1/leads/${leads[0].id}`, { headers: admin })).json();
    expect(lead.dispatches.find((d: any) => d.delivery === 'nightly')).toMatchObject({ status: 'delivered', batch: answer.body.id, reference: mail.parsed.messageId });
    const listed = (await (await fetch(`${server.url}/v1/batches/${answer.body.id}`, { headers: admin })).json()) as Record<string, unknown>;
    expect(listed).toMatchObject({ mode: 'scheduled', status: 'delivered', leadCount: 3, plugin: 'email' });

    // The schedule's next tick, and another run, find nothing new: no batch, no message.
    const sent = mailsTo('nightly@acme.example').length;
    const batches = (await sql(env.DATABASE_URL!, 'select count(*)::int as n from batch'))[0].n;
    expect(await server.app.get(BatchDeliveries).tick('run-now', 'nightly', new Date())).toEqual({ leadCount: 0 });
    expect(await run('run-now', 'nightly')).toEqual({ status: 200, body: { id: null, leadCount: 0, file: null, status: null } });
    expect((await sql(env.DATABASE_URL!, 'select count(*)::int as n from batch'))[0].n).toBe(batches);
    expect(mailsTo('nightly@acme.example')).toHaveLength(sent);
  });

  it('a run on one instance and ticks on another, racing while leads arrive: each lead is mailed exactly once', async () => {
    const other = await start();
    const tick = () => other.app.get(BatchDeliveries).tick('run-now', 'nightly', new Date());
    const before = new Set(mailsTo('nightly@acme.example').map(batchOf));
    const posted: string[] = [];
    const made: string[] = [];
    const runOn = async (on: StartedServer) => {
      const { body } = await run('run-now', 'nightly', on);
      if (body.id) made.push(body.id);
    };
    const tickOnOther = async () => {
      const { batch } = await tick();
      if (batch) made.push(batch);
    };
    const postTo = async (name: string, on: StartedServer) => {
      posted.push((await post(name, 'run-now', 'run-key', on)).id);
    };
    for (let round = 0; round < 6; round++) {
      await Promise.all([postTo(`Race${round}a`, server), postTo(`Race${round}b`, other), postTo(`Race${round}c`, server), runOn(server), tickOnOther(), runOn(other), tickOnOther()]);
    }
    // Whatever arrived after the last claim goes in one more run.
    const last = await run('run-now', 'nightly');
    if (last.body.id) made.push(last.body.id);

    // Both sides claimed batches: the race was real.
    expect(made.length).toBeGreaterThan(1);
    for (const id of made) await delivered(id);
    const mails = mailsTo('nightly@acme.example').filter((m) => !before.has(batchOf(m)));
    // One message per batch, and together they hold every lead posted, each once.
    expect(mails.map(batchOf).sort()).toEqual([...made].sort());
    expect(mails.flatMap(idsIn).sort()).toEqual([...posted].sort());
    const twice = await sql(env.DATABASE_URL!, `select lead_id from dispatch where delivery_id = 'nightly' group by lead_id having count(distinct batch_id) > 1`);
    expect(twice).toEqual([]);
    expect((await dispatchesOf('nightly')).filter((d) => d.status !== 'delivered')).toEqual([]);
  });

  it('a delivery with sendEmpty mails "no new leads" when a run finds none', async () => {
    const answer = await run('run-empty', 'morning');
    expect(answer).toEqual({ status: 202, body: { id: expect.any(String), leadCount: 0, file: expect.any(String), status: 'pending' } });
    const mail = await mailOf(answer.body.id);
    expect(mail.to).toEqual(['morning@acme.example']);
    expect(mail.parsed.text?.trim()).toBe('No new leads for Run now, empty since the last email.');
    expect(mail.parsed.attachments).toEqual([]);
    expect(await delivered(answer.body.id)).toMatchObject({ lead_count: 0, mode: 'scheduled' });
  });

  it('a cap limits what a run takes, oldest leads first; with the cap used up a run makes no batch, sendEmpty or not; the rest go in the next window', async () => {
    const clock = server.app.get(Clock);
    const setClock = (at: string) => clock.advance(Date.parse(at) - clock.now().getTime());
    setClock('2027-06-15T12:00:00Z');
    try {
      const leads = [];
      for (const name of ['Cap1', 'Cap2', 'Cap3']) leads.push(await post(name, 'run-capped', 'capped-key'));
      const first = await run('run-capped', 'capped');
      expect(first).toMatchObject({ status: 202, body: { leadCount: 2, status: 'pending' } });
      expect(idsIn(await mailOf(first.body.id))).toEqual(leads.slice(0, 2).map((l) => l.id));
      await delivered(first.body.id);

      const batches = (await sql(env.DATABASE_URL!, 'select count(*)::int as n from batch'))[0].n;
      expect(await run('run-capped', 'capped')).toEqual({ status: 200, body: { id: null, leadCount: 0, file: null, status: null } });
      expect((await sql(env.DATABASE_URL!, 'select count(*)::int as n from batch'))[0].n).toBe(batches);
      const campaign = await (await fetch(`${server.url}/v1/campaigns/run-capped`, { headers: admin })).json();
      expect(campaign.deliveries[0].caps).toEqual([expect.objectContaining({ max: 2, per: 'day', used: 2 })]);
      expect((await dispatchesOf('capped', 'run-capped')).map((d) => d.status).sort()).toEqual(['delivered', 'delivered', 'pending']);

      setClock('2027-06-16T00:00:01Z');
      const next = await run('run-capped', 'capped');
      expect(next).toMatchObject({ status: 202, body: { leadCount: 1 } });
      expect(idsIn(await mailOf(next.body.id))).toEqual([leads[2].id]);
    } finally {
      setClock(new Date().toISOString());
    }
  });

  it('answers 404 for an unknown campaign or delivery, 409 for a delivery without a schedule or a paused one, 401 without a token; none changes anything', async () => {
    await post('Waiting');
    await realtimeSettled();
    const before = await snapshot(env.DATABASE_URL!);
    const mails = inbox.server.received.length;

    const cases: [string, string, number, RegExp][] = [
      ['nope', 'nightly', 404, /^No campaign 'nope'\.$/],
      ['run-now', 'nope', 404, /^Campaign 'run-now' has no delivery 'nope'\.$/],
      ['run-now', 'each-lead', 409, /^Delivery 'each-lead' is real-time, not scheduled/],
      ['run-now', 'download', 409, /^Delivery 'download' is on-demand, not scheduled: deliver its leads with POST \/v1\/campaigns\/run-now\/manual-deliveries\.$/],
    ];
    for (const [campaign, delivery, status, message] of cases) {
      const answer = await run(campaign, delivery);
      expect([campaign, delivery, answer.status, answer.body.error]).toEqual([campaign, delivery, status, status === 404 ? 'not_found' : 'conflict']);
      expect(answer.body.message).toMatch(message);
    }
    const anonymous = await fetch(`${server.url}/v1/campaigns/run-now/deliveries/nightly/run`, { method: 'POST' });
    expect(anonymous.status).toBe(401);

    // Paused: refused with the way out, the pending lead left for after the resume.
    expect((await fetch(`${server.url}/v1/campaigns/run-now/deliveries/nightly/pause`, { method: 'POST', headers: admin })).status).toBe(200);
    const paused = await run('run-now', 'nightly');
    expect(paused.status).toBe(409);
    expect(paused.body.message).toBe("Delivery 'nightly' is paused; resume it (POST /v1/campaigns/run-now/deliveries/nightly/resume) to run it.");
    expect(await snapshot(env.DATABASE_URL!)).toEqual(before);
    expect(inbox.server.received).toHaveLength(mails);

    expect((await fetch(`${server.url}/v1/campaigns/run-now/deliveries/nightly/resume`, { method: 'POST', headers: admin })).status).toBe(200);
    const resumed = await run('run-now', 'nightly');
    expect(resumed.body.leadCount).toBe(1);
    await delivered(resumed.body.id);
  });
});
