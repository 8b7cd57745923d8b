import { readdir, readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { simpleParser } from 'mailparser';
import { BatchDeliveries } from '../../apps/server/src/engine/batch.deliveries';
import { eventually, sql, startTestServer, type TestServer } from '../support/test-server';
import { attachment, fileRows, MailInbox, postLead, waitFor } from './support/mail-inbox';
import { obliterateQueues } from './support/test-queues';

const HEADER = ['first_name', 'last_name', 'email', 'phone', 'lead_id', 'received_at'];

describe('real-time email: one message per lead, through the dispatch queue', () => {
  let inbox: MailInbox;
  let server: TestServer;
  const post = (lead: Record<string, unknown>) => postLead(server.url, 'email-realtime', 'realtime-key', lead);
  const dispatchOf = async (id: string) => (await sql(server.databaseUrl, 'select * from dispatch where id = $1', [id]))[0];
  const deliveredDispatch = (id: string) =>
    waitFor(async () => {
      const d = await dispatchOf(id);
      return d.status === 'delivered' ? d : undefined;
    }, `dispatch ${id} delivered`);
  const mailOf = (dispatchId: string) => inbox.server.received.filter((m) => m.parsed.headers.get('x-leadrelay-dispatch') === dispatchId);

  beforeAll(async () => {
    inbox = await MailInbox.start();
    server = await startTestServer('email_realtime', { CAMPAIGNS_DIR: 'test/campaigns-email', SMTP_URL: inbox.url });
  });
  afterAll(async () => {
    await server?.stop();
    await inbox?.close();
    if (server) await obliterateQueues(server.env);
  });

  it('each lead is its own message: fields in the subject and body, a one-row CSV with the full header', async () => {
    const leads = [
      await post({ first_name: 'Ann', last_name: 'Lee', email: 'ann@example.com', phone: '512-555-0100' }),
      await post({ first_name: 'Bob', email: 'bob@example.com' }),
      await post({ first_name: 'Cy', last_name: 'Vo, Jr.', email: 'cy@example.com' }),
    ];
    const dispatchIds = leads.map((l) => l.dispatches[0].id);
    const rows = await Promise.all(dispatchIds.map(deliveredDispatch));
    expect(inbox.to('rt@acme.example')).toHaveLength(3);

    for (const [i, lead] of leads.entries()) {
      const mails = mailOf(dispatchIds[i]);
      expect(mails).toHaveLength(1);
      const [mail] = mails;
      expect(rows[i]).toMatchObject({ reference: mail.parsed.messageId, attempts: 1, batch_id: null });
      const [header, ...data] = fileRows(attachment(mail).content);
      expect(header).toEqual(HEADER);
      expect(data).toHaveLength(1);
      expect(data[0].slice(-2)).toEqual([lead.id, lead.receivedAt]);
    }
    const [ann] = mailOf(dispatchIds[0]);
    expect(ann.parsed.subject).toBe('New lead: Ann Lee for Email in real time');
    // The default real-time body lists the lead, one `name: value` line per field.
    expect(ann.parsed.text).toContain('first_name: Ann\nlast_name: Lee\nemail: ann@example.com\nphone: 5125550100');
    expect(fileRows(attachment(ann).content)[1]).toEqual(['Ann', 'Lee', 'ann@example.com', '5125550100', leads[0].id, leads[0].receivedAt]);
    expect(mailOf(dispatchIds[1])[0].parsed.subject).toBe('New lead: Bob  for Email in real time');
    expect(fileRows(attachment(mailOf(dispatchIds[2])[0]).content)[1].slice(0, 4)).toEqual(['Cy', 'Vo, Jr.', 'cy@example.com', '']);
    // Real-time email makes no batches.
    expect(await sql(server.databaseUrl, 'select id from batch')).toEqual([]);
  });

  it('421 then 250: retried after the delivery\'s retry delay, one message in the end', async () => {
    inbox.refusals.push({ code: 421, text: 'Slow down' });
    const lead = await post({ first_name: 'Dee', email: 'dee@example.com' });
    const id = lead.dispatches[0].id;
    const row = await deliveredDispatch(id);
    expect(row.attempts).toBe(2);
    const attempts = await sql(server.databaseUrl, 'select outcome, reason from attempt where dispatch_id = $1 order by at', [id]);
    expect(attempts.map((a) => a.outcome)).toEqual(['retry', 'delivered']);
    expect(attempts[0].reason).toMatch(/^421\b.*Slow down/);
    expect(mailOf(id)).toHaveLength(1);
  });

  it('550: rejected with the server\'s reply, not retried', async () => {
    inbox.refusals.push({ code: 550, text: 'No such mailbox' });
    const lead = await post({ first_name: 'Eve', email: 'eve@example.com' });
    const id = lead.dispatches[0].id;
    const row = await waitFor(async () => {
      const d = await dispatchOf(id);
      return d.status !== 'pending' ? d : undefined;
    }, `dispatch ${id} final`);
    expect(row).toMatchObject({ status: 'rejected', attempts: 1 });
    expect(row.reason).toMatch(/^550\b.*No such mailbox/);
    expect(mailOf(id)).toEqual([]);
  });
});

describe('email with no SMTP_URL: .eml files in OUTBOX_DIR', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('email_outbox', { CAMPAIGNS_DIR: 'test/campaigns-email' });
  });
  afterAll(async () => {
    await server?.stop();
    if (server) await rm(server.env.OUTBOX_DIR!, { recursive: true, force: true });
    if (server) await obliterateQueues(server.env);
  });

  const emlFiles = async () => (await readdir(server.env.OUTBOX_DIR!).catch(() => [] as string[])).filter((f) => f.endsWith('.eml')).sort();
  const parsedEml = async (file: string) => simpleParser(await readFile(path.join(server.env.OUTBOX_DIR!, file)));

  it('a real-time message and a batch message each land as one parseable .eml', async () => {
    const lead = await postLead(server.url, 'email-realtime', 'realtime-key', { first_name: 'Out', last_name: 'Box', email: 'out@example.com' });
    const dispatch = lead.dispatches[0].id;
    await eventually(async () => (await sql(server.databaseUrl, `select 1 from dispatch where id = $1 and status = 'delivered'`, [dispatch])).length);
    const [realtimeFile] = await emlFiles();
    const realtime = await parsedEml(realtimeFile);
    expect(realtime.subject).toBe('New lead: Out Box for Email in real time');
    expect(realtime.headers.get('x-leadrelay-dispatch')).toBe(dispatch);
    expect(realtimeFile).toBe(`${realtimeFile.slice(0, 24)}-${realtime.messageId!.replace(/^<|>$/g, '')}.eml`);
    const [, row] = fileRows(realtime.attachments[0].content);
    expect(row).toEqual(['Out', 'Box', 'out@example.com', '', lead.id, lead.receivedAt]);
    const [stored] = await sql(server.databaseUrl, 'select reference from dispatch where id = $1', [dispatch]);
    expect(stored.reference).toBe(realtime.messageId);

    const batchLead = await postLead(server.url, 'email-batch', 'email-key', { first_name: 'Batch', email: 'batch@example.com' });
    const { batch } = await server.app.get(BatchDeliveries).tick('email-batch', 'csv-file', new Date());
    const files = await emlFiles();
    expect(files).toHaveLength(2);
    const [batchFile] = files.filter((f) => f !== realtimeFile);
    const mail = await parsedEml(batchFile);
    expect(mail.headers.get('x-leadrelay-batch')).toBe(batch);
    expect(mail.subject).toMatch(/^1 new leads for Email batches <test> & co \(csv-file, /);
    const [header, data] = fileRows(mail.attachments[0].content);
    expect(header[header.length - 3]).toBe('notes');
    expect(data.slice(-2)).toEqual([batchLead.id, batchLead.receivedAt]);
    const [attempt] = await sql(server.databaseUrl, 'select outcome, response from attempt where batch_id = $1', [batch]);
    expect(attempt.outcome).toBe('delivered');
    expect(attempt.response.body).toBe(`written to ${path.join(server.env.OUTBOX_DIR!, batchFile)}`);
  });
});
