import { Readable } from 'node:stream';
import * as yauzl from 'yauzl';
import { BatchDeliveries } from '../../apps/server/src/engine/batch.deliveries';
import { sql, startTestServer, type TestServer } from '../support/test-server';
import { attachment, batchOf, fileRows, MailInbox } from './support/mail-inbox';
import { obliterateQueues } from './support/test-queues';

const LEADS = 150_000;
const HEADER = 'first_name,last_name,email,phone,address,city,state,zip,lead_id,received_at';

/** Resident memory of this process (server, mail server and test all live here), sampled while `work` runs. */
async function rssDuring<T>(work: () => Promise<T>): Promise<{ result: T; beforeMB: number; peakMB: number }> {
  const mb = () => Math.round(process.memoryUsage().rss / 2 ** 20);
  const beforeMB = mb();
  let peakMB = beforeMB;
  const timer = setInterval(() => (peakMB = Math.max(peakMB, mb())), 25);
  try {
    const result = await work();
    peakMB = Math.max(peakMB, mb());
    return { result, beforeMB, peakMB };
  } finally {
    clearInterval(timer);
  }
}

/** The lines of the one file in a zip, streamed out of it (the CSV is never one string). */
async function unzippedLines(zip: Buffer): Promise<{ name: string; lines: number; header: string; first: string; leadIds: Set<string> }> {
  const archive = await yauzl.fromBufferPromise(zip);
  const entries = [];
  for await (const entry of archive.eachEntry()) entries.push({ entry, stream: await archive.openReadStreamPromise(entry) });
  expect(entries).toHaveLength(1);
  const [{ entry, stream }] = entries;
  let rest = '';
  let lines = 0;
  let header = '';
  let first = '';
  const leadIds = new Set<string>();
  let badEnds = 0;
  const take = (line: string) => {
    if (!line.endsWith('\r')) badEnds++;
    const text = line.slice(0, -1);
    if (lines === 0) header = text;
    else {
      if (lines === 1) first = text;
      leadIds.add(text.split(',')[8]);
    }
    lines++;
  };
  for await (const chunk of stream as Readable) {
    const parts = (rest + chunk.toString('utf8')).split('\n');
    rest = parts.pop()!;
    parts.forEach(take);
  }
  expect(rest).toBe('');
  expect(badEnds).toBe(0);
  return { name: entry.fileName, lines, header, first, leadIds };
}

describe('a 150,000-lead email batch', () => {
  let inbox: MailInbox;
  let server: TestServer;

  beforeAll(async () => {
    inbox = await MailInbox.start();
    server = await startTestServer('email_big', { CAMPAIGNS_DIR: 'test/campaigns-email', SMTP_URL: inbox.url });
    // Leads as the intake stores them, written straight into PostgreSQL: posting 150,000 over HTTP
    // would test intake, not email.
    await sql(
      server.databaseUrl,
      `insert into lead (id, campaign_id, campaign_version, data, raw, received_at, source)
       select gen_random_uuid(), c.id, c.version,
              jsonb_build_object('first_name', 'Lead ' || g, 'last_name', case when g % 7 = 0 then 'O''Brien, Jr.' else 'Smith' end,
                'email', 'lead' || g || '@example.com', 'phone', (5120000000 + g)::text, 'address', g || ' Main St',
                'city', 'Austin', 'state', 'TX', 'zip', lpad((g % 99999)::text, 5, '0')),
              '{}'::jsonb, timestamptz '2026-01-01 00:00:00+00' + g * interval '1 millisecond', 'test'
         from generate_series(1, ${LEADS}) g, campaign c where c.id = 'email-big'`,
    );
    await sql(
      server.databaseUrl,
      `insert into dispatch_row (id, lead_id, campaign_id, delivery_id, status, created_at, updated_at)
       select gen_random_uuid(), id, campaign_id, 'zipped', 'pending', now(), now() from lead where campaign_id = 'email-big'`,
    );
    await sql(server.databaseUrl, 'vacuum analyze dispatch_row');
  });
  afterAll(async () => {
    await server?.stop();
    await inbox?.close();
    if (server) await obliterateQueues(server.env);
  });

  it('goes out as one zipped CSV holding every lead once, the server streaming it rather than holding it', async () => {
    const { result, beforeMB, peakMB } = await rssDuring(() => server.app.get(BatchDeliveries).tick('email-big', 'zipped', new Date()));
    expect(result.leadCount).toBe(LEADS);
    const [batch] = await sql(server.databaseUrl, 'select status, attempts, lead_count from batch where id = $1', [result.batch]);
    expect(batch).toEqual({ status: 'delivered', attempts: 1, lead_count: LEADS });

    const mails = inbox.server.received.filter((m) => batchOf(m) === result.batch);
    expect(mails).toHaveLength(1);
    const file = attachment(mails[0]);
    expect(file.filename).toMatch(/^email-big-\d{4}-\d{2}-\d{2}\.csv\.zip$/);
    expect(file.contentType).toBe('application/zip');

    const unzipped = await unzippedLines(file.content);
    expect(unzipped.name).toBe(file.filename.replace(/\.zip$/, ''));
    expect(unzipped.lines).toBe(LEADS + 1);
    expect(unzipped.header).toBe(HEADER);
    expect(unzipped.first).toMatch(/^Lead 1,Smith,lead1@example\.com,5120000001,1 Main St,Austin,TX,00001,[0-9a-f-]{36},2026-01-01T00:00:00\.001Z$/);
    expect(unzipped.leadIds.size).toBe(LEADS);
    // Quoting survives the trip: rows with a comma in a value have it quoted.
    expect(fileRows(`${HEADER}\r\nLead 7,"O'Brien, Jr.",x,,,,,,id,at\r\n`)[1][1]).toBe("O'Brien, Jr.");
    const pending = await sql(server.databaseUrl, `select count(*)::int as n from dispatch where delivery_id = 'zipped' and status <> 'delivered'`);
    expect(pending).toEqual([{ n: 0 }]);

    const [attempt] = await sql(server.databaseUrl, 'select request from attempt where batch_id = $1', [result.batch]);
    const zipOf = /\((\d+) bytes, zip of (\d+) bytes\)/.exec(attempt.request.body)!;
    const [zipBytes, csvBytes] = [Number(zipOf[1]), Number(zipOf[2])];
    expect(zipBytes).toBe(file.content.length);
    // Memory: the whole process (server, SMTP server and this test) grew by far less than a few
    // copies of the file would take. Figures for the report, not a timing assertion.
    process.stdout.write(
      `\n150,000-lead batch: CSV ${(csvBytes / 2 ** 20).toFixed(1)} MB, zip ${(zipBytes / 2 ** 20).toFixed(1)} MB; ` +
        `process RSS ${beforeMB} MB before, ${peakMB} MB peak while building and sending (+${peakMB - beforeMB} MB)\n`,
    );
    expect(peakMB - beforeMB).toBeLessThan(256);
  });
});
