import { Readable } from 'node:stream';
import { text as readText } from 'node:stream/consumers';
import * as yauzl from 'yauzl';
import { emailOptionsSchema, PluginConfigError, type BatchFile, type CampaignInfo, type LeadRecord, type PluginTools } from '@leadrelay/sdk/plugin';
import { at, every, cron, field, realtime } from '@leadrelay/sdk';
import { HandlebarsTemplateEngine } from '@leadrelay/templating';
// Relative until tsconfig has `@leadrelay/mail` (jest maps every `@leadrelay/<lib>` already).
import { NodemailerMailTransport } from '../../libs/mail/src';
import { TestSmtpServer } from '../../libs/mail/testing/test-smtp.server';
import { READ_AHEAD_LIMIT } from './email.attachment';
import { emailPlugin, type EmailPluginOptions } from '.';

const campaign: CampaignInfo = {
  id: 'solar-tx',
  name: 'Solar <Texas> & Co',
  fields: [
    field.text('first_name', { required: true }),
    field.text('last_name'),
    field.email('email', { required: true }),
    field.phone('phone'),
    field.postalCode('zip', { required: true }),
    field.state('state'),
  ],
};

/** The two leads of the batch files below, as the host's CSV writer would write them. */
const CSV = [
  'first_name,last_name,email,phone,zip,state,lead_id,received_at',
  'Ann,"O\'Hara, Jr.",ann@example.com,5125550100,78701,,l-1,2026-03-07T13:01:00.000Z',
  'Bob,,bob@example.com,,78702,TX,l-2,2026-03-07T13:02:00.000Z',
  '',
].join('\r\n');

/** A BatchFile from a string: the host provides real ones; the plugin only opens and measures it. */
function batchFile(content: string, fileName = 'solar-tx.csv'): BatchFile {
  return {
    fileName,
    contentType: 'text/csv',
    open: () => Readable.from([Buffer.from(content, 'utf8')]),
    byteLength: async () => Buffer.byteLength(content, 'utf8'),
  };
}

/** What the host hands plugins; `http` is never used by email. */
function pluginTools(mail: NodemailerMailTransport): PluginTools {
  return {
    http: { send: () => Promise.reject(new Error('the email plugin sends no HTTP')) },
    templates: new HandlebarsTemplateEngine(),
    mail,
    clock: { now: () => new Date('2026-03-07T14:00:00Z') },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  };
}

const options = (over: Record<string, unknown> = {}): EmailPluginOptions =>
  emailOptionsSchema.parse({
    from: 'leads@leadrelay.example',
    to: ['buyer@acme.example', 'ops@acme.example'],
    subject: '{{count}} new leads — {{campaignName}}',
    schedule: at(['08:00', '15:00'], 'America/Chicago'),
    ...over,
  });

async function unzipOne(zipped: Buffer): Promise<string> {
  const zip = await yauzl.fromBufferPromise(zipped);
  const contents: string[] = [];
  for await (const entry of zip.eachEntry()) contents.push(await readText(await zip.openReadStreamPromise(entry)));
  expect(contents).toHaveLength(1);
  return contents[0];
}

describe('email plugin: declaration', () => {
  it('is real time or scheduled by its schedule', () => {
    expect(emailPlugin.mode(options({ schedule: realtime }))).toEqual({ kind: 'realtime' });
    expect(emailPlugin.mode(options())).toEqual({ kind: 'scheduled', schedule: at(['08:00', '15:00'], 'America/Chicago') });
    expect(emailPlugin.mode(options({ schedule: every('15m') }))).toEqual({ kind: 'scheduled', schedule: every('15m') });
  });

  it('summarises recipients and schedule in one line', () => {
    expect(emailPlugin.summary!(options())).toBe('email to buyer@acme.example, ops@acme.example at 08:00,15:00 America/Chicago');
    expect(emailPlugin.summary!(options({ to: ['a@x.example'], schedule: every('15m') }))).toBe('email to a@x.example every 15m');
    expect(emailPlugin.summary!(options({ to: ['a@x.example'], schedule: cron('0 9 * * 1-5', 'America/New_York') }))).toBe(
      "email to a@x.example on cron '0 9 * * 1-5' America/New_York",
    );
    expect(emailPlugin.summary!(options({ to: ['a@x.example'], schedule: realtime }))).toBe('email to a@x.example in real time, one lead per message');
  });

  it('asks for a CSV with a header of every campaign field, then lead_id and received_at, by default', () => {
    expect(emailPlugin.fileOptions!(options(), campaign)).toEqual({
      format: 'csv',
      quote: 'needed',
      header: true,
      formulaGuard: true,
      fileName: '{{campaign}}-{{date}}.{{ext}}',
      columns: ['first_name', 'last_name', 'email', 'phone', 'zip', 'state', 'lead_id', 'received_at'].map((n) => ({ header: n, source: n })),
    });
  });

  it('asks for TSV, no header, every value quoted and the listed fields when told', () => {
    const o = options({ attachment: { format: 'tsv', header: false, quote: 'all', fields: ['email', 'first_name'], fileName: 'leads.{{ext}}' } });
    expect(emailPlugin.fileOptions!(o, campaign)).toEqual({
      format: 'tsv',
      quote: 'all',
      header: false,
      formulaGuard: true,
      fileName: 'leads.{{ext}}',
      columns: ['email', 'first_name', 'lead_id', 'received_at'].map((n) => ({ header: n, source: n })),
    });
  });
});

describe('email plugin: prepare', () => {
  // prepare only compiles templates: nothing is sent, so no server is needed here.
  const tools = pluginTools(new NodemailerMailTransport());

  const problems = (o: EmailPluginOptions) => {
    try {
      emailPlugin.prepare!(o, campaign, tools);
    } catch (err) {
      expect(err).toBeInstanceOf(PluginConfigError);
      return (err as PluginConfigError).problems;
    }
    throw new Error('prepare was expected to refuse the options');
  };

  it('accepts templates using fields and the message variables', () => {
    const o = options({
      subject: '{{count}} leads for {{campaign}} ({{campaignName}}, {{delivery}}) on {{date}}, batch {{batch}}',
      text: 'Hi {{first_name}}',
      html: '<p>{{count}} leads</p>',
      attachment: { fileName: '{{campaign}}-{{date}}-{{batch}}.{{ext}}' },
    });
    expect(() => emailPlugin.prepare!(o, campaign, tools)).not.toThrow();
  });

  it('lists every problem at once, each with its path', () => {
    const found = problems(
      options({
        subject: '{{count} leads',
        html: '<p>{{nickname}}</p>',
        attachment: { fields: ['email', 'favourite_colour', 'email'], fileName: '{{campaign}}.{{extension}}' },
        smtpUrl: 'http://user:secret@mail.example',
      }),
    );
    expect(found.map((p) => p.path)).toEqual([
      ['attachment', 'fields', 1],
      ['attachment', 'fields', 2],
      ['smtpUrl'],
      ['subject'],
      ['html'],
      ['attachment', 'fileName'],
    ]);
    expect(found[0].message).toBe("unknown field 'favourite_colour' (campaign fields: first_name, last_name, email, phone, zip, state)");
    expect(found[1].message).toBe("field 'email' is listed twice");
    expect(found[2].message).toBe('must be an smtp:// or smtps:// URL');
    expect(found[2].message).not.toContain('secret');
    expect(found[4].message).toContain("unknown variable 'nickname'");
    expect(found[5].message).toContain("unknown variable 'extension'");
  });
});

describe('email plugin: sending', () => {
  let server: TestSmtpServer;
  let mail: NodemailerMailTransport;
  let tools: PluginTools;

  beforeAll(async () => {
    server = await TestSmtpServer.start();
    mail = new NodemailerMailTransport({ smtpUrl: server.url() });
    tools = pluginTools(mail);
  });
  afterAll(async () => {
    mail.close();
    await server.close();
  });

  const batch = (o: EmailPluginOptions, file: BatchFile, leadCount = 2, createdAt = new Date('2026-03-07T14:00:00Z')) =>
    emailPlugin.deliverBatch!({ batchId: 'b-42', deliveryId: 'daily-file', attempt: 1, leadCount, campaign, options: o, prepared: emailPlugin.prepare!(o, campaign, tools), file, createdAt }, tools);

  const lastMail = () => server.received.at(-1)!;

  it('sends a batch as one message with the CSV attached, exactly as the file is', async () => {
    const o = options({ html: '<h1>{{campaignName}}</h1><p>{{count}} leads, batch {{batch}}</p>' });
    const result = await batch(o, batchFile(CSV));

    const mailed = lastMail();
    expect(result.outcome).toBe('delivered');
    expect(result.reference).toBe(mailed.parsed.messageId);
    expect(mailed.from).toBe('leads@leadrelay.example');
    expect(mailed.to).toEqual(['buyer@acme.example', 'ops@acme.example']);
    expect(mailed.parsed.subject).toBe('2 new leads — Solar <Texas> & Co');
    expect(mailed.parsed.text?.trim()).toBe('Leads for Solar <Texas> & Co: 2 in the attached file.');
    expect(mailed.parsed.html).toBe('<h1>Solar &lt;Texas&gt; &amp; Co</h1><p>2 leads, batch b-42</p>');
    expect(mailed.parsed.headers.get('x-leadrelay-batch')).toBe('b-42');

    expect(mailed.parsed.attachments).toHaveLength(1);
    const [attachment] = mailed.parsed.attachments;
    // `date` is the day in the schedule's time zone.
    expect(attachment.filename).toBe('solar-tx-2026-03-07.csv');
    expect(attachment.contentType).toBe('text/csv');
    const csv = attachment.content.toString('utf8');
    expect(csv).toBe(CSV);
    expect(csv.split('\r\n')[0].split(',')).toEqual(['first_name', 'last_name', 'email', 'phone', 'zip', 'state', 'lead_id', 'received_at']);

    expect(result.request).toMatchObject({
      method: 'EMAIL',
      url: 'mailto:buyer@acme.example,ops@acme.example',
      headers: { From: 'leads@leadrelay.example', To: 'buyer@acme.example, ops@acme.example', Subject: '2 new leads — Solar <Texas> & Co' },
    });
    expect(result.request!.body).toContain(`attachment: solar-tx-2026-03-07.csv (${Buffer.byteLength(CSV)} bytes)`);
    expect(result.response).toMatchObject({ status: 250 });
  });

  it('names the file and dates the subject by the day in the schedule time zone', async () => {
    const o = options({ subject: 'Leads of {{date}}', attachment: { fileName: '{{campaign}}_{{date}}_{{batch}}.{{ext}}', format: 'tsv' } });
    // 04:30 UTC on the 8th is still the 7th in Chicago.
    await batch(o, batchFile('a\tb\r\n'), 1, new Date('2026-03-08T04:30:00Z'));
    expect(lastMail().parsed.subject).toBe('Leads of 2026-03-07');
    expect(lastMail().parsed.attachments[0].filename).toBe('solar-tx_2026-03-07_b-42.tsv');
  });

  it('zips the attachment when the file is larger than zipOver', async () => {
    const big = CSV + 'Cy,Doe,cy@example.com,,78703,TX,l-3,2026-03-07T13:03:00.000Z\r\n'.repeat(2_000);
    const result = await batch(options({ zipOver: 1_000 }), batchFile(big));

    expect(result.outcome).toBe('delivered');
    const [attachment] = lastMail().parsed.attachments;
    expect(attachment.filename).toBe('solar-tx-2026-03-07.csv.zip');
    expect(attachment.contentType).toBe('application/zip');
    expect(attachment.content.length).toBeLessThan(Buffer.byteLength(big));

    const zip = await yauzl.fromBufferPromise(attachment.content);
    const entries: { name: string; content: string }[] = [];
    for await (const entry of zip.eachEntry()) {
      entries.push({ name: entry.fileName, content: await readText(await zip.openReadStreamPromise(entry)) });
    }
    expect(entries).toEqual([{ name: 'solar-tx-2026-03-07.csv', content: big }]);
    expect(result.request!.body).toContain(`attachment: solar-tx-2026-03-07.csv.zip (${attachment.content.length} bytes, zip of ${Buffer.byteLength(big)} bytes)`);
  });

  it('reads a batch file once, in chunks, zipped or not: no extra pass just to measure it', async () => {
    const rows = 'Cy,Doe,cy@example.com,,78703,TX,l-3,2026-03-07T13:03:00.000Z\r\n';
    const content = CSV + rows.repeat(500);
    let opened = 0;
    let measured = 0;
    const file: BatchFile = {
      fileName: 'solar-tx.csv',
      contentType: 'text/csv',
      open: () => {
        opened++;
        return Readable.from([CSV, ...Array(500).fill(rows)].map((t) => Buffer.from(t)));
      },
      byteLength: async () => {
        measured++;
        return Buffer.byteLength(content);
      },
    };
    for (const [zipOver, zipped] of [[1_000, true], [Buffer.byteLength(content), false], [READ_AHEAD_LIMIT - 1, false]] as const) {
      const result = await batch(options({ zipOver }), file);
      expect(result.outcome).toBe('delivered');
      const [attachment] = lastMail().parsed.attachments;
      expect(attachment.filename!.endsWith('.zip')).toBe(zipped);
      const bytes = zipped ? await unzipOne(attachment.content) : attachment.content.toString('utf8');
      expect(bytes).toBe(content);
      expect(result.request!.body).toContain(zipped ? `zip of ${Buffer.byteLength(content)} bytes)` : `(${Buffer.byteLength(content)} bytes)`);
    }
    expect([opened, measured]).toEqual([3, 0]);
    // A zipOver larger than what may be read ahead is checked by measuring the file first.
    await batch(options({ zipOver: READ_AHEAD_LIMIT }), file);
    expect(lastMail().parsed.attachments[0].content.toString('utf8')).toBe(content);
    expect([opened, measured]).toEqual([4, 1]);
  });

  it('does not zip a file of exactly zipOver bytes', async () => {
    await batch(options({ zipOver: Buffer.byteLength(CSV) }), batchFile(CSV));
    expect(lastMail().parsed.attachments[0].filename).toBe('solar-tx-2026-03-07.csv');
  });

  it('says "no new leads", with no attachment, for an empty batch (the host sends one only with its sendEmpty setting)', async () => {
    const result = await batch(options({ html: '<p>{{count}} leads attached</p>' }), batchFile('first_name\r\n'), 0);
    expect(result.outcome).toBe('delivered');
    expect(lastMail().parsed.subject).toBe('0 new leads — Solar <Texas> & Co');
    expect(lastMail().parsed.text?.trim()).toBe('No new leads for Solar <Texas> & Co since the last email.');
    expect(lastMail().parsed.html).toBeFalsy();
    expect(lastMail().parsed.attachments).toEqual([]);
    expect(result.request!.body).toMatch(/^attachment: none/);
  });

  it('in real time sends one message per lead, fields in the templates', async () => {
    const o = options({
      schedule: realtime,
      subject: 'New lead: {{first_name}} {{last_name}}',
      html: '<p>{{first_name}} wrote from {{zip}}</p>',
      attachment: { fileName: 'lead-{{last_name}}.{{ext}}' },
    });
    const prepared = emailPlugin.prepare!(o, campaign, tools);
    const leads: LeadRecord[] = [
      { id: 'l-1', campaignId: 'solar-tx', receivedAt: new Date('2026-03-07T13:01:00Z'), data: { first_name: 'Ann', last_name: 'Smith', email: 'ann@example.com', zip: '78701' } },
      { id: 'l-2', campaignId: 'solar-tx', receivedAt: new Date('2026-03-07T13:02:00Z'), data: { first_name: '<b>Bob</b>', last_name: 'x/../y', email: 'bob@example.com', zip: '78702' } },
    ];
    const before = server.received.length;
    const results = [];
    for (const lead of leads) {
      const row = `first_name,email\r\n${lead.data.first_name},${lead.data.email}\r\n`;
      results.push(await emailPlugin.deliver!({ dispatchId: `d-${lead.id}`, deliveryId: 'realtime-mail', attempt: 1, lead, campaign, options: o, prepared, file: batchFile(row) }, tools));
    }
    const mailed = server.received.slice(before);
    expect(mailed).toHaveLength(2);
    expect(results.map((r) => r.outcome)).toEqual(['delivered', 'delivered']);
    expect(results.map((r) => r.reference)).toEqual(mailed.map((m) => m.parsed.messageId));

    expect(mailed[0].parsed.subject).toBe('New lead: Ann Smith');
    expect(mailed[0].parsed.html).toBe('<p>Ann wrote from 78701</p>');
    expect(mailed[0].parsed.headers.get('x-leadrelay-dispatch')).toBe('d-l-1');
    expect(mailed[0].parsed.attachments[0].filename).toBe('lead-Smith.csv');
    expect(mailed[0].parsed.attachments[0].content.toString()).toBe('first_name,email\r\nAnn,ann@example.com\r\n');
    // The default text lists the lead's fields; a field the lead lacks is an empty line end.
    expect(mailed[0].parsed.text).toContain('first_name: Ann\nlast_name: Smith\nemail: ann@example.com\nphone: \nzip: 78701');

    expect(mailed[1].parsed.subject).toBe('New lead: <b>Bob</b> x/../y');
    expect(mailed[1].parsed.html).toBe('<p>&lt;b&gt;Bob&lt;/b&gt; wrote from 78702</p>');
    // A lead value cannot put a path into the attachment's name.
    expect(mailed[1].parsed.attachments[0].filename).toBe('lead-x_.._y.csv');
  });

  describe('when the server refuses', () => {
    const refusing = async (code: number, text: string) => {
      const failing = await TestSmtpServer.start({ rcptTo: () => ({ code, text }) });
      try {
        // The delivery's own smtpUrl wins over the host's default server.
        return await batch(options({ smtpUrl: failing.url() }), batchFile(CSV));
      } finally {
        await failing.close();
      }
    };

    it('421 → retry', async () => {
      const result = await refusing(421, 'Too busy, try again later');
      expect(result.outcome).toBe('retry');
      expect(result.reason).toBe('421 Too busy, try again later');
      expect(result.response).toMatchObject({ status: 421 });
      expect(result.request!.headers.Subject).toBe('2 new leads — Solar <Texas> & Co');
    });

    it('550 → rejected with the server reply', async () => {
      const result = await refusing(550, 'Mailbox unavailable');
      expect(result.outcome).toBe('rejected');
      expect(result.reason).toBe('550 Mailbox unavailable');
      expect(result.response).toEqual({ status: 550, headers: {}, body: '550 Mailbox unavailable' });
    });

    it('a refused connection → retry with the transport error', async () => {
      const closed = await TestSmtpServer.start();
      const url = closed.url();
      await closed.close();
      const result = await batch(options({ smtpUrl: url }), batchFile(CSV));
      expect(result.outcome).toBe('retry');
      expect(result.error).toMatch(/ECONNREFUSED/);
      expect(result.response).toBeUndefined();
    });

    it('a file that breaks while sending → retry, and nothing is delivered', async () => {
      const before = server.received.length;
      const broken: BatchFile = {
        fileName: 'x.csv',
        contentType: 'text/csv',
        byteLength: async () => 10_000,
        open: () =>
          new Readable({
            read() {
              this.push('first_name\r\n');
              this.destroy(new Error('batch file went away'));
            },
          }),
      };
      for (const zipOver of [1_000_000, 0]) {
        const result = await batch(options({ zipOver }), broken);
        expect(result.outcome).toBe('retry');
        expect(result.reason).toContain('batch file went away');
      }
      expect(server.received.length).toBe(before);
    });
  });
});
