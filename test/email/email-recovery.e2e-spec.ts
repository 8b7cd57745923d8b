import { startServer, type StartedServer } from '../../apps/server/src/bootstrap';
import { BatchDeliveries } from '../../apps/server/src/engine/batch.deliveries';
import { Sweeper } from '../../apps/server/src/engine/sweeper';
import { dropDatabase, sql, testEnv } from '../support/test-server';
import { attachment, batchOf, fileRows, leadIdsOf, MailInbox, postLead, waitFor } from './support/mail-inbox';
import { obliterateQueues } from './support/test-queues';

/**
 * A lead claimed by a tick is never forgotten: an instance that dies between the claim and the
 * send, or in the middle of the send, leaves a pending batch that another instance's sweeper sends.
 */
describe('email batches survive a crash after the claim', () => {
  let inbox: MailInbox;
  let env: NodeJS.ProcessEnv;
  const running: StartedServer[] = [];
  const start = async (extra: NodeJS.ProcessEnv = {}) => {
    const s = await startServer({ ...env, ...extra });
    running.push(s);
    return s;
  };
  const stop = async (s: StartedServer) => {
    running.splice(running.indexOf(s), 1);
    await s.app.close();
  };
  const batchRow = async (id: string) => (await sql(env.DATABASE_URL!, 'select * from batch where id = $1', [id]))[0];
  const post = (s: StartedServer, name: string) => postLead(s.url, 'email-batch', 'email-key', { first_name: name, email: `${name.toLowerCase()}@example.com` });
  const delivered = (id: string) => waitFor(async () => ((await batchRow(id)).status === 'delivered' ? batchRow(id) : undefined), `batch ${id} delivered`);
  const leadsMailed = (batchId: string) => {
    const mails = inbox.server.received.filter((m) => batchOf(m) === batchId);
    expect(mails).toHaveLength(1);
    return leadIdsOf(fileRows(attachment(mails[0]).content).slice(1)).sort();
  };

  beforeAll(async () => {
    inbox = await MailInbox.start();
    env = testEnv('email_recovery', { CAMPAIGNS_DIR: 'test/campaigns-email', SMTP_URL: inbox.url });
  });
  afterAll(async () => {
    for (const s of [...running]) await stop(s);
    await inbox?.close();
    await dropDatabase(env.DATABASE_URL!);
    await obliterateQueues(env);
  });

  it('claimed, then the instance stops before sending: after a restart the sweeper sends that batch, and a new tick does not take its leads', async () => {
    const first = await start();
    const leads = [await post(first, 'Ann'), await post(first, 'Bob')];
    const claimed = await first.app.get(BatchDeliveries).claimScheduled('email-batch', 'csv-file', new Date());
    expect(claimed.leadCount).toBe(2);
    await stop(first);
    expect(inbox.server.received).toEqual([]);
    const stuck = await batchRow(claimed.batch!);
    expect(stuck).toMatchObject({ status: 'pending', attempts: 0, sending_until: null });
    const dispatches = await sql(env.DATABASE_URL!, `select status, batch_id from dispatch where delivery_id = 'csv-file'`);
    expect(dispatches).toEqual([
      { status: 'pending', batch_id: claimed.batch },
      { status: 'pending', batch_id: claimed.batch },
    ]);

    const second = await start();
    // A tick on the new instance claims only what came after; the stuck batch keeps its leads.
    const late = await post(second, 'Cy');
    const next = await second.app.get(BatchDeliveries).tick('email-batch', 'csv-file', new Date());
    expect(next.leadCount).toBe(1);
    await delivered(next.batch!);
    expect(leadsMailed(next.batch!)).toEqual([late.id]);
    expect((await batchRow(claimed.batch!)).status).toBe('pending');

    // The sweeper (a short grace: the batch has been pending for longer) finds it and sends it.
    await new Promise((r) => setTimeout(r, 300));
    expect((await second.app.get(Sweeper).sweep(200)).batches).toBeGreaterThanOrEqual(1);
    const sent = await delivered(claimed.batch!);
    expect(sent.attempts).toBe(1);
    expect(leadsMailed(claimed.batch!)).toEqual(leads.map((l) => l.id).sort());
    expect(await sql(env.DATABASE_URL!, `select distinct status from dispatch where delivery_id = 'csv-file'`)).toEqual([{ status: 'delivered' }]);
    // Nothing is left for a later sweep.
    expect(await second.app.get(BatchDeliveries).resumePending(0)).toBe(0);
    await stop(second);
  });

  it('an instance dies in the middle of the send: its lease keeps others off until it runs out, then the sweeper sends the batch', async () => {
    inbox.server.received.length = 0;
    const other = await MailInbox.start();
    let closed = false;
    const closeOther = async () => {
      if (!closed) await other.close();
      closed = true;
    };
    try {
      // The dying instance's mail server takes the message and never answers it.
      other.hold = true;
      const dying = await start({ SMTP_URL: other.url });
      const survivor = await start();
      const lead = await post(dying, 'Dee');
      const sending = dying.app.get(BatchDeliveries).tick('email-batch', 'csv-file', new Date()).catch((err: Error) => err);
      const leased = await waitFor(async () => {
        const [b] = await sql(env.DATABASE_URL!, `select * from batch where delivery_id = 'csv-file' and status = 'pending' and sending_until > now()`);
        return b;
      }, 'a batch being sent');

      // While the lease lasts, another instance neither resumes nor sends it.
      expect(await survivor.app.get(BatchDeliveries).resumePending(0)).toBe(0);
      expect(await survivor.app.get(BatchDeliveries).send(leased.id)).toEqual({ status: 'skipped' });

      // The instance goes away mid-send (its database pool closed, its connection to the mail
      // server cut): the batch stays pending, leased to it.
      await stop(dying);
      await closeOther();
      expect(await sending).toBeInstanceOf(Error);
      expect(await batchRow(leased.id)).toMatchObject({ status: 'pending', attempts: 0 });
      expect(inbox.server.received).toEqual([]);

      // Its lease runs out (15 minutes in production; moved here instead of waited for).
      await sql(env.DATABASE_URL!, `update batch set sending_until = now() - interval '1 second' where id = $1`, [leased.id]);
      await new Promise((r) => setTimeout(r, 300));
      expect((await survivor.app.get(Sweeper).sweep(200)).batches).toBeGreaterThanOrEqual(1);
      await delivered(leased.id);
      expect(leadsMailed(leased.id)).toEqual([lead.id]);
    } finally {
      await closeOther();
    }
  });
});
