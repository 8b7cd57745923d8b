import { BatchDeliveries } from '../../apps/server/src/engine/batch.deliveries';
import { sql, startTestServer, type TestServer } from '../support/test-server';
import { attachment, batchOf, fileRows, leadIdsOf, MailInbox, postLead, waitFor, type ReceivedMail } from './support/mail-inbox';
import { obliterateQueues } from './support/test-queues';

const HEADER = ['first_name', 'last_name', 'email', 'phone', 'zip', 'state', 'notes', 'lead_id', 'received_at'];

describe('email batches through the host (docs/campaigns.md › Email)', () => {
  let inbox: MailInbox;
  let server: TestServer;
  let batches: BatchDeliveries;
  const post = (lead: Record<string, unknown>) => postLead(server.url, 'email-batch', 'email-key', lead);
  const tick = (delivery: string, campaign = 'email-batch') => batches.tick(campaign, delivery, new Date());
  const api = (path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, { ...init, headers: { ...server.admin, ...init.headers } });
  const batchRow = async (id: string) => (await sql(server.databaseUrl, 'select * from batch where id = $1', [id]))[0];
  const dispatchesOf = (batchId: string) =>
    sql(server.databaseUrl, 'select lead_id, status, reason, reference, attempts from dispatch where batch_id = $1 order by lead_id', [batchId]);
  const attemptsOf = (batchId: string) => sql(server.databaseUrl, 'select outcome, reason, response from attempt where batch_id = $1 order by at, id', [batchId]);
  const mailOf = (batchId: string) => inbox.server.received.filter((m) => batchOf(m) === batchId);
  const oneMailOf = async (batchId: string): Promise<ReceivedMail> => {
    const [mail] = await waitFor(async () => (mailOf(batchId).length ? mailOf(batchId) : undefined), `the message of batch ${batchId}`);
    expect(mailOf(batchId)).toHaveLength(1);
    return mail;
  };
  const statusOf = async (batchId: string, status: string) =>
    waitFor(async () => ((await batchRow(batchId)).status === status ? batchRow(batchId) : undefined), `batch ${batchId} ${status}`);

  beforeAll(async () => {
    inbox = await MailInbox.start();
    server = await startTestServer('email_batches', { CAMPAIGNS_DIR: 'test/campaigns-email', SMTP_URL: inbox.url });
    batches = server.app.get(BatchDeliveries);
  });
  afterAll(async () => {
    await server?.stop();
    await inbox?.close();
    if (server) await obliterateQueues(server.env);
  });
  afterEach(() => {
    inbox.refusals.length = 0;
    inbox.refuseAll = undefined;
  });

  it('a tick mails one message: every campaign field in the header, the rows exactly the leads, templates rendered', async () => {
    const ann = await post({ first_name: 'Ann', last_name: 'O\'Hara, "Jr"', email: ' Ann@Example.COM ', phone: '(512) 555-0100', zip: '78701', state: 'texas' });
    const bob = await post({ first_name: 'Bob', last_name: '=HYPERLINK("http://evil.example")', email: 'bob@example.com' });
    const cy = await post({ first_name: 'Cy', last_name: 'Two\nlines', email: 'cy@example.com', phone: '+1 512 555 0199', state: 'TX', zip: '78702-1234' });

    const result = await tick('csv-file');
    expect(result).toEqual({ batch: expect.any(String), leadCount: 3 });
    const batch = await batchRow(result.batch!);
    expect(batch).toMatchObject({ mode: 'scheduled', status: 'delivered', lead_count: 3, attempts: 1, delivery_id: 'csv-file' });

    const mail = await oneMailOf(result.batch!);
    const date = new Date(batch.created_at).toISOString().slice(0, 10); // the schedule's zone is UTC
    expect(mail.from).toBe('leads@leadrelay.example');
    expect(mail.to.sort()).toEqual(['audit@acme.example', 'buyer@acme.example', 'ops@acme.example']);
    expect(mail.parsed.subject).toBe(`3 new leads for Email batches <test> & co (csv-file, ${date})`);
    expect(mail.parsed.text?.trim()).toBe(`Batch ${result.batch} of email-batch: 3 lead(s) attached.`);
    expect(mail.parsed.html).toBe('<p>3 leads for <b>Email batches &lt;test&gt; &amp; co</b></p>');

    const file = attachment(mail);
    expect(file.filename).toBe(`email-batch-csv-file-${date}.csv`);
    expect(file.contentType).toBe('text/csv');
    const [header, ...rows] = fileRows(file.content);
    // `notes` is in no lead, and still has its column.
    expect(header).toEqual(HEADER);
    expect(rows).toEqual([
      ['Ann', 'O\'Hara, "Jr"', 'ann@example.com', '5125550100', '78701', 'TX', '', ann.id, ann.receivedAt],
      ['Bob', '\'=HYPERLINK("http://evil.example")', 'bob@example.com', '', '', '', '', bob.id, bob.receivedAt],
      ['Cy', 'Two\nlines', 'cy@example.com', '5125550199', '78702-1234', 'TX', '', cy.id, cy.receivedAt],
    ]);

    // Delivered dispatches point at the batch and carry the message id as their reference.
    const dispatches = await dispatchesOf(result.batch!);
    expect(dispatches.map((d) => d.lead_id).sort()).toEqual([ann.id, bob.id, cy.id].sort());
    for (const d of dispatches) expect(d).toMatchObject({ status: 'delivered', reference: mail.parsed.messageId, attempts: 1 });
    const lead = await (await api(`/v1/leads/${ann.id}`)).json();
    expect(lead.dispatches.find((d: any) => d.delivery === 'csv-file')).toMatchObject({ status: 'delivered', batch: result.batch });
    // The other email delivery has its own dispatch, untouched by this tick.
    expect(lead.dispatches.find((d: any) => d.delivery === 'tsv-file')).toMatchObject({ status: 'pending', batch: null });
    expect(await attemptsOf(result.batch!)).toEqual([{ outcome: 'delivered', reason: null, response: expect.objectContaining({ status: 250 }) }]);
  });

  it('the batch is listed as scheduled, with its plugin, and its file downloads, the same bytes as the attachment', async () => {
    const lead = await post({ first_name: 'Dee', email: 'dee@example.com' });
    const { batch } = await tick('csv-file');
    const mail = await oneMailOf(batch!);

    const list = await api('/v1/campaigns/email-batch/batches');
    expect(list.status).toBe(200);
    const { items } = await list.json();
    expect(items[0]).toMatchObject({ id: batch, campaign: 'email-batch', delivery: 'csv-file', plugin: 'email', mode: 'scheduled', status: 'delivered', leadCount: 1, file: `/v1/batches/${batch}/file` });
    expect(items.every((b: any) => b.mode === 'scheduled')).toBe(true);

    const one = await (await api(`/v1/batches/${batch}`)).json();
    expect(one).toMatchObject({ id: batch, mode: 'scheduled', plugin: 'email', leadCount: 1, options: { format: 'csv', header: true, quote: 'needed' } });

    for (let i = 0; i < 2; i++) {
      const res = await api(`/v1/batches/${batch}/file`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${attachment(mail).filename}"`);
      expect(Buffer.from(await res.arrayBuffer())).toEqual(attachment(mail).content);
    }
    expect(leadIdsOf(fileRows(attachment(mail).content).slice(1))).toEqual([lead.id]);
  });

  it('each tick sends exactly the leads that arrived since the previous one; a tick with none sends nothing', async () => {
    const first = [await post({ first_name: 'E1', email: 'e1@example.com' }), await post({ first_name: 'E2', email: 'e2@example.com' })];
    const a = await tick('csv-file');
    const second = [await post({ first_name: 'E3', email: 'e3@example.com' })];
    const b = await tick('csv-file');
    const sent = inbox.server.received.length;
    const batchCount = (await sql(server.databaseUrl, 'select count(*)::int as n from batch'))[0].n;

    expect(await tick('csv-file')).toEqual({ leadCount: 0 });
    expect(inbox.server.received).toHaveLength(sent);
    expect((await sql(server.databaseUrl, 'select count(*)::int as n from batch'))[0].n).toBe(batchCount);

    const idsIn = async (batch: string) => leadIdsOf(fileRows(attachment(await oneMailOf(batch)).content).slice(1));
    expect(await idsIn(a.batch!)).toEqual(first.map((l) => l.id));
    expect(await idsIn(b.batch!)).toEqual(second.map((l) => l.id));
  });

  it('TSV without a header row, when the delivery says so', async () => {
    const tsvLead = await post({ first_name: 'Tab', last_name: 'Has\ttab', email: 'tab@example.com', zip: '78703' });
    const { batch, leadCount } = await tick('tsv-file');
    const mail = await oneMailOf(batch!);
    expect(mail.to).toEqual(['tsv@acme.example']);
    expect(mail.parsed.subject).toBe(`Leads (${leadCount})`);
    const file = attachment(mail);
    expect(file.filename).toMatch(/^email-batch-\d{4}-\d{2}-\d{2}\.tsv$/);
    expect(file.contentType).toBe('text/tab-separated-values');
    const rows = fileRows(file.content, '\t');
    // Every lead posted so far in this suite, none of them a header.
    const posted = await sql(server.databaseUrl, `select id from lead where campaign_id = 'email-batch' order by received_at, id`);
    expect(rows).toHaveLength(posted.length);
    expect(leadIdsOf(rows)).toEqual(posted.map((l) => l.id));
    expect(rows.every((r) => r.length === HEADER.length)).toBe(true);
    expect(rows.find((r) => r[7] === tsvLead.id)!.slice(0, 7)).toEqual(['Tab', 'Has\ttab', 'tab@example.com', '', '78703', '', '']);
    // The lead's csv-file dispatch goes out with the CSV delivery's next tick, on its own.
    expect(await tick('csv-file')).toMatchObject({ leadCount: 1 });
  });

  it('421 then 250: the batch is sent again after the delivery\'s retry delay and ends delivered', async () => {
    const lead = await post({ first_name: 'Retry', email: 'retry@example.com' });
    inbox.refusals.push({ code: 421, text: 'Too busy, try again later' });
    const { batch } = await tick('csv-file');
    const row = await statusOf(batch!, 'delivered');
    expect(row).toMatchObject({ attempts: 2, reason: null, sending_until: null });
    const attempts = await attemptsOf(batch!);
    expect(attempts.map((a) => a.outcome)).toEqual(['retry', 'delivered']);
    expect(attempts[0].reason).toMatch(/^421\b.*Too busy, try again later/);
    const mail = await oneMailOf(batch!);
    expect(leadIdsOf(fileRows(attachment(mail).content).slice(1))).toEqual([lead.id]);
    for (const d of await dispatchesOf(batch!)) expect(d).toMatchObject({ status: 'delivered', reference: mail.parsed.messageId });
  });

  it('claimed but not yet sent: dispatches stay pending with the batch id and never land in a second batch', async () => {
    inbox.refuseAll = { code: 421, text: 'Greylisted' };
    const waiting = await post({ first_name: 'Waiting', email: 'waiting@example.com' });
    const first = await tick('csv-file');
    expect((await batchRow(first.batch!)).status).toBe('pending');
    expect(await dispatchesOf(first.batch!)).toEqual([expect.objectContaining({ lead_id: waiting.id, status: 'pending' })]);

    // A second tick while the first batch waits for its retry claims only the newcomer.
    const newcomer = await post({ first_name: 'Newcomer', email: 'newcomer@example.com' });
    const second = await tick('csv-file');
    expect(second.leadCount).toBe(1);
    expect((await dispatchesOf(second.batch!)).map((d) => d.lead_id)).toEqual([newcomer.id]);
    expect((await dispatchesOf(first.batch!)).map((d) => d.lead_id)).toEqual([waiting.id]);

    inbox.refuseAll = undefined;
    await statusOf(first.batch!, 'delivered');
    await statusOf(second.batch!, 'delivered');
    expect(leadIdsOf(fileRows(attachment(await oneMailOf(first.batch!)).content).slice(1))).toEqual([waiting.id]);
    expect(leadIdsOf(fileRows(attachment(await oneMailOf(second.batch!)).content).slice(1))).toEqual([newcomer.id]);
    const inTwo = await sql(server.databaseUrl, `select lead_id from dispatch where delivery_id = 'csv-file' and batch_id is not null group by lead_id having count(distinct batch_id) > 1`);
    expect(inTwo).toEqual([]);
  });

  it('a server that keeps answering 4xx: failed after the delivery\'s attempts, with the reason', async () => {
    inbox.refuseAll = { code: 451, text: 'Local error in processing' };
    const lead = await post({ first_name: 'Never', email: 'never@example.com' });
    const { batch } = await tick('csv-file');
    const row = await statusOf(batch!, 'failed');
    expect(row.attempts).toBe(3);
    expect(row.reason).toMatch(/^gave up after 3 attempt\(s\): 451\b.*Local error in processing/);
    // The dispatch reads its batch's tries: it went out (and was refused) three times.
    expect(await dispatchesOf(batch!)).toEqual([expect.objectContaining({ lead_id: lead.id, status: 'failed', reason: row.reason, attempts: 3 })]);
    expect(mailOf(batch!)).toEqual([]);
  });

  it('an operator retry of a batch that ran out of tries gets the delivery\'s whole retry schedule again', async () => {
    inbox.refuseAll = { code: 421, text: 'Try later' };
    await post({ first_name: 'Again', email: 'again@example.com' });
    const { batch } = await tick('csv-file');
    expect(await statusOf(batch!, 'failed')).toMatchObject({ attempts: 3 });
    inbox.refuseAll = undefined;
    // One more 4xx after the retry is a reason to wait and try again, not to give up at once.
    inbox.refusals.push({ code: 421, text: 'Still busy' });
    expect((await api(`/v1/batches/${batch}/retry`, { method: 'POST' })).status).toBe(202);
    expect(await statusOf(batch!, 'delivered')).toMatchObject({ attempts: 5, reason: null });
    expect((await attemptsOf(batch!)).map((a) => a.outcome)).toEqual(['retry', 'retry', 'failed', 'retry', 'delivered']);
    expect(mailOf(batch!)).toHaveLength(1);
  });

  it('550: the batch fails at once with the server\'s reply; POST /v1/batches/{id}/retry sends it again and it ends delivered', async () => {
    const leads = [await post({ first_name: 'Perm', email: 'perm@example.com' }), await post({ first_name: 'Anent', email: 'anent@example.com' })];
    inbox.refusals.push({ code: 550, text: 'Mailbox unavailable: buyer@acme.example' });
    const { batch } = await tick('csv-file');
    const failed = await batchRow(batch!);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.reason).toMatch(/^550\b.*Mailbox unavailable: buyer@acme\.example/);
    const dispatches = await dispatchesOf(batch!);
    expect(dispatches).toHaveLength(2);
    for (const d of dispatches) expect(d).toMatchObject({ status: 'failed', reason: failed.reason });
    expect(mailOf(batch!)).toEqual([]);
    const listed = (await (await api('/v1/campaigns/email-batch/batches')).json()).items.find((b: any) => b.id === batch);
    expect(listed).toMatchObject({ status: 'failed', reason: failed.reason, mode: 'scheduled' });

    const retried = await api(`/v1/batches/${batch}/retry`, { method: 'POST' });
    expect(retried.status).toBe(202);
    expect(await retried.json()).toEqual({ id: batch, status: 'pending' });
    const delivered = await statusOf(batch!, 'delivered');
    expect(delivered).toMatchObject({ attempts: 2, reason: null });
    const mail = await oneMailOf(batch!);
    expect(leadIdsOf(fileRows(attachment(mail).content).slice(1)).sort()).toEqual(leads.map((l) => l.id).sort());
    for (const d of await dispatchesOf(batch!)) expect(d).toMatchObject({ status: 'delivered', reason: null, reference: mail.parsed.messageId });
    expect((await attemptsOf(batch!)).map((a) => a.outcome)).toEqual(['rejected', 'delivered']);

    // Only failed email batches can be sent again.
    const again = await api(`/v1/batches/${batch}/retry`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect((await again.json()).error).toBe('conflict');
    expect((await api('/v1/batches/00000000-0000-4000-8000-000000000000/retry', { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${server.url}/v1/batches/${batch}/retry`, { method: 'POST' })).status).toBe(401);
  });

  it('sendEmpty: a tick with no leads mails "no new leads", with no attachment, and records a batch of 0', async () => {
    const { batch, leadCount } = await tick('morning', 'email-chicago');
    expect(leadCount).toBe(0);
    const mail = await oneMailOf(batch!);
    expect(mail.to).toEqual(['morning@acme.example']);
    expect(mail.parsed.subject).toMatch(/^0 new leads for \d{4}-\d{2}-\d{2}$/);
    expect(mail.parsed.text?.trim()).toBe('No new leads for Email at 08:00 Chicago since the last email.');
    expect(mail.parsed.attachments).toEqual([]);
    expect(await batchRow(batch!)).toMatchObject({ status: 'delivered', lead_count: 0 });
  });

  it('an every(\'2s\') schedule mails on its own: each message holds the leads that came since the one before', async () => {
    const mails = () => inbox.to('every@acme.example');
    const every = (lead: Record<string, unknown>) => postLead(server.url, 'email-every', 'every-key', lead);
    const idsIn = (mail: ReceivedMail) => leadIdsOf(fileRows(attachment(mail).content).slice(1));
    const first = await every({ first_name: 'Tick', email: 'tick@example.com' });
    const one = await waitFor(async () => mails().find((m) => idsIn(m).includes(first.id)), 'the first scheduled message');
    const second = await every({ first_name: 'Tock', email: 'tock@example.com' });
    const two = await waitFor(async () => mails().find((m) => idsIn(m).includes(second.id)), 'the second scheduled message');
    expect(idsIn(one)).toEqual([first.id]);
    expect(idsIn(two)).toEqual([second.id]);
    expect(batchOf(one)).not.toBe(batchOf(two));
    expect(mails()).toHaveLength(2);
    const rows = await sql(server.databaseUrl, `select status, batch_id from dispatch where delivery_id = 'every-2s'`);
    expect(rows.map((r) => r.status)).toEqual(['delivered', 'delivered']);
  });
});
