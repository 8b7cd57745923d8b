import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { simpleParser } from 'mailparser';
import { MailError, type MailMessage } from '@leadrelay/sdk/plugin';
import { TestSmtpServer, type SmtpRefusal } from '../testing/test-smtp.server';
import { NodemailerMailTransport } from './nodemailer-mail.transport';

/** A CSV produced row by row, the way the host streams a batch file. */
function csvStream(rows: number): Readable {
  return Readable.from(
    (function* () {
      yield 'first_name,email\r\n';
      for (let i = 0; i < rows; i++) yield `Ann ${i},ann${i}@example.com\r\n`;
    })(),
  );
}

function csvText(rows: number): string {
  let text = 'first_name,email\r\n';
  for (let i = 0; i < rows; i++) text += `Ann ${i},ann${i}@example.com\r\n`;
  return text;
}

const message = (over: Partial<MailMessage> = {}): MailMessage => ({
  from: 'leads@leadrelay.example',
  to: ['buyer@acme.example'],
  subject: 'Solar leads',
  text: 'Your leads are attached.',
  ...over,
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function sendError(transport: NodemailerMailTransport, msg: MailMessage, url?: string): Promise<MailError> {
  try {
    await transport.send(msg, url);
  } catch (err) {
    expect(err).toBeInstanceOf(MailError);
    return err as MailError;
  }
  throw new Error('the send was expected to fail');
}

describe('NodemailerMailTransport over SMTP', () => {
  let server: TestSmtpServer;
  let transport: NodemailerMailTransport;

  beforeAll(async () => {
    server = await TestSmtpServer.start();
    transport = new NodemailerMailTransport({ smtpUrl: server.url() });
  });
  afterAll(async () => {
    transport.close();
    await server.close();
  });

  it('delivers a message with a streamed CSV attachment', async () => {
    const receipt = await transport.send(
      message({
        cc: ['boss@acme.example'],
        attachments: [{ filename: 'solar-tx.csv', contentType: 'text/csv', content: csvStream(5_000) }],
        headers: { 'X-Leadrelay-Batch': 'b-1' },
      }),
    );
    expect(receipt.messageId).toMatch(/^<.+@.+>$/);
    expect(receipt.response).toMatch(/^250\b/);

    const mail = server.received.at(-1)!;
    expect(mail.from).toBe('leads@leadrelay.example');
    expect(mail.to.sort()).toEqual(['boss@acme.example', 'buyer@acme.example']);
    expect(mail.parsed.subject).toBe('Solar leads');
    expect(mail.parsed.text?.trim()).toBe('Your leads are attached.');
    expect(mail.parsed.messageId).toBe(receipt.messageId);
    expect(mail.parsed.headers.get('x-leadrelay-batch')).toBe('b-1');
    expect(mail.parsed.attachments).toHaveLength(1);
    const [attachment] = mail.parsed.attachments;
    expect(attachment.filename).toBe('solar-tx.csv');
    expect(attachment.contentType).toBe('text/csv');
    expect(attachment.content.toString('utf8')).toBe(csvText(5_000));
  });

  it('sends through the URL a message names instead of the default', async () => {
    const other = await TestSmtpServer.start();
    try {
      await transport.send(message({ subject: 'elsewhere' }), other.url());
      expect(other.received.map((m) => m.parsed.subject)).toEqual(['elsewhere']);
      expect(server.received.some((m) => m.parsed.subject === 'elsewhere')).toBe(false);
    } finally {
      await other.close();
    }
  });
});

describe('NodemailerMailTransport failures', () => {
  const transport = new NodemailerMailTransport();
  afterAll(() => transport.close());

  const refusing = async (step: 'mailFrom' | 'rcptTo' | 'data', refusal: SmtpRefusal) => {
    const server = await TestSmtpServer.start({ [step]: () => refusal });
    try {
      return await sendError(transport, message(), server.url());
    } finally {
      await server.close();
    }
  };

  it.each(['mailFrom', 'rcptTo', 'data'] as const)('421 on %s is transient', async (step) => {
    const err = await refusing(step, { code: 421, text: 'Service not available, try again later' });
    expect(err.kind).toBe('transient');
    expect(err.responseCode).toBe(421);
  });

  it.each(['mailFrom', 'rcptTo', 'data'] as const)('550 on %s is permanent with the server reply', async (step) => {
    const err = await refusing(step, { code: 550, text: 'Mailbox unavailable: buyer@acme.example' });
    expect(err.kind).toBe('permanent');
    expect(err.responseCode).toBe(550);
    expect(err.message).toContain('550');
    expect(err.message).toContain('Mailbox unavailable: buyer@acme.example');
  });

  it('451 on DATA is transient', async () => {
    const err = await refusing('data', { code: 451, text: 'Local error in processing' });
    expect(err.kind).toBe('transient');
    expect(err.responseCode).toBe(451);
  });

  it('the pooled transport recovers after a 421 or a 550: the next message goes through', async () => {
    const refusals: SmtpRefusal[] = [
      { code: 421, text: 'Closing, try later' },
      { code: 550, text: 'Sender refused' },
    ];
    const server = await TestSmtpServer.start({ mailFrom: () => refusals.shift() });
    try {
      expect((await sendError(transport, message(), server.url())).kind).toBe('transient');
      expect((await sendError(transport, message(), server.url())).kind).toBe('permanent');
      await transport.send(message({ subject: 'third time' }), server.url());
      expect(server.received.map((m) => m.parsed.subject)).toEqual(['third time']);
    } finally {
      await server.close();
    }
  });

  it('a refused connection is transient', async () => {
    const err = await sendError(transport, message(), `smtp://127.0.0.1:${await freePort()}`);
    expect(err.kind).toBe('transient');
    expect(err.responseCode).toBeUndefined();
  });

  it('a recipient refused while another accepts still delivers, and says so', async () => {
    const server = await TestSmtpServer.start({ rcptTo: (a) => (a === 'gone@acme.example' ? { code: 550, text: 'No such user' } : undefined) });
    try {
      const receipt = await transport.send(message({ to: ['buyer@acme.example', 'gone@acme.example'] }), server.url());
      expect(receipt.response).toContain('refused: gone@acme.example');
      expect(server.received.at(-1)!.to).toEqual(['buyer@acme.example']);
    } finally {
      await server.close();
    }
  });

  it('logs in with a percent-encoded password; a wrong one is permanent', async () => {
    const server = await TestSmtpServer.start({ auth: { user: 'leads@acme.example', pass: 'p@ss:word' } });
    try {
      await transport.send(message({ subject: 'authenticated' }), server.url({ userinfo: 'leads%40acme.example:p%40ss%3Aword' }));
      expect(server.received.at(-1)!.parsed.subject).toBe('authenticated');
      const err = await sendError(transport, message(), server.url({ userinfo: 'leads%40acme.example:wrong' }));
      expect(err.kind).toBe('permanent');
      expect(err.responseCode).toBe(535);
    } finally {
      await server.close();
    }
  });

  it('smtps with a self-signed certificate: transient until tls.rejectUnauthorized=false', async () => {
    const server = await TestSmtpServer.start({ secure: true });
    try {
      const err = await sendError(transport, message(), server.url());
      expect(err.kind).toBe('transient');
      await transport.send(message({ subject: 'over tls' }), server.url({ query: 'tls.rejectUnauthorized=false' }));
      expect(server.received.at(-1)!.parsed.subject).toBe('over tls');
    } finally {
      await server.close();
    }
  });
});

describe('NodemailerMailTransport without SMTP (outbox)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = path.join(await mkdtemp(path.join(tmpdir(), 'leadrelay-outbox-')), 'var', 'outbox');
  });
  afterEach(async () => {
    await rm(path.dirname(path.dirname(dir)), { recursive: true, force: true });
  });

  it('writes each message as one parseable .eml named by time and message id', async () => {
    const transport = new NodemailerMailTransport({ outboxDir: dir, clock: { now: () => new Date('2026-03-07T14:00:00.000Z') } });
    const receipt = await transport.send(
      message({
        bcc: ['audit@leadrelay.example'],
        attachments: [{ filename: 'solar-tx.csv', contentType: 'text/csv', content: csvStream(2_000) }],
      }),
    );
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    const bare = receipt.messageId.replace(/^<|>$/g, '');
    expect(files[0]).toBe(`2026-03-07T14-00-00.000Z-${bare}.eml`);
    expect(receipt.response).toBe(`written to ${path.join(dir, files[0])}`);

    const parsed = await simpleParser(await readFile(path.join(dir, files[0])));
    expect(parsed.messageId).toBe(receipt.messageId);
    expect(parsed.subject).toBe('Solar leads');
    expect(parsed.attachments[0].filename).toBe('solar-tx.csv');
    expect(parsed.attachments[0].content.toString('utf8')).toBe(csvText(2_000));
  });

  it('leaves no file behind when the attachment stream breaks', async () => {
    const transport = new NodemailerMailTransport({ outboxDir: dir });
    const broken = new Readable({
      read() {
        this.destroy(new Error('disk went away'));
      },
    });
    const err = await sendError(transport, message({ attachments: [{ filename: 'x.csv', contentType: 'text/csv', content: broken }] }));
    expect(err.kind).toBe('transient');
    expect(await readdir(dir).catch(() => [])).toEqual([]);
  });
});
