import { Readable } from 'node:stream';
import { createTransport, type SendMailOptions, type Transporter } from 'nodemailer';
import type { MailMessage, MailReceipt, MailTransport } from '@leadrelay/sdk/plugin';
import { EmlOutboxWriter } from './eml-outbox.writer';
import { toMailError } from './mail-error.mapping';

export interface NodemailerMailTransportOptions {
  /**
   * The default SMTP server; unset → every message is written to `outboxDir` as an `.eml` file.
   * A message may name its own server (`send(message, smtpUrl)`), which wins.
   *
   * What the URL understands (it is nodemailer's connection URL):
   * - `smtp://user:pass@host:587`: plain connection, upgraded with STARTTLS when the server offers
   *   it; `smtps://user:pass@host:465`: TLS from the first byte. Port defaults: 587 / 465.
   * - user and password percent-encoded (`p%40ss` for `p@ss`); no user → no AUTH.
   * - query keys are transport options, `true` / `false` / numbers converted:
   *   `tls.rejectUnauthorized=false` (self-signed certificates), `tls.servername=…`,
   *   `requireTLS=true` (refuse to go on without STARTTLS), `ignoreTLS=true` (never STARTTLS),
   *   `name=client.example` (EHLO name), `authMethod=LOGIN`, `connectionTimeout=…`,
   *   `greetingTimeout=…`, `socketTimeout=…` (ms), `maxConnections=…`, `pool=false`.
   *   Only `tls.*` nests; other dotted keys are ignored.
   * @example 'smtps://leads%40acme.example:secret@smtp.acme.example:465'
   * @example 'smtp://relay.internal:25?ignoreTLS=true'
   */
  smtpUrl?: string;
  /** Where `.eml` files go when there is no SMTP URL. @default 'var/outbox' */
  outboxDir?: string;
  /** Names outbox files; the host's clock, so tests can move time. @default the system clock */
  clock?: { now(): Date };
}

/**
 * Defaults a connection URL may override. A pool, because a scheduled tick sends to the same
 * server many times. `maxRequeues: 0` because the host owns retries: a pool that re-sends a
 * message after its connection broke would re-read an attachment stream that is already half
 * consumed. File and URL access off: attachments here are always streams, never paths, so a
 * template can never make the mailer read a local file or fetch a URL.
 */
const SMTP_DEFAULTS = {
  pool: true,
  maxRequeues: 0,
  connectionTimeout: 30_000,
  greetingTimeout: 30_000,
  // Shorter than the host's guard around a real-time send (3 min), so the transport always gives
  // up first and its error is the recorded reason (docs/architecture.md › Leases).
  socketTimeout: 120_000,
  disableFileAccess: true,
  disableUrlAccess: true,
} as const;

/** The host's mail transport: SMTP through nodemailer, or `.eml` files in an outbox folder. */
export class NodemailerMailTransport implements MailTransport {
  private readonly smtp = new Map<string, Transporter>();
  private stream?: Transporter;
  private readonly outbox: EmlOutboxWriter;

  constructor(private readonly options: NodemailerMailTransportOptions = {}) {
    const clock = options.clock ?? { now: () => new Date() };
    this.outbox = new EmlOutboxWriter(options.outboxDir ?? 'var/outbox', () => clock.now());
  }

  /** The folder `.eml` files go to when no SMTP URL applies. */
  get outboxDir(): string {
    return this.outbox.dir;
  }

  /** Sends through `smtpUrl`, else the default URL, else writes the outbox. Rejects only with `MailError`. */
  async send(message: MailMessage, smtpUrl?: string): Promise<MailReceipt> {
    const url = smtpUrl || this.options.smtpUrl;
    try {
      return url ? await this.sendSmtp(url, message) : await this.writeOutbox(message);
    } catch (err) {
      throw toMailError(err);
    }
  }

  /** Closes every pooled SMTP connection; later sends open new ones. */
  close(): void {
    for (const transporter of this.smtp.values()) transporter.close();
    this.smtp.clear();
    this.stream?.close();
    this.stream = undefined;
  }

  /** Nest calls this at shutdown when the transport is a provider. */
  onApplicationShutdown(): void {
    this.close();
  }

  private async sendSmtp(url: string, message: MailMessage): Promise<MailReceipt> {
    let transporter = this.smtp.get(url);
    if (!transporter) {
      // Keys in the URL win over these defaults (nodemailer merges the object's other keys under
      // the parsed URL).
      transporter = createTransport({ ...SMTP_DEFAULTS, url } as Parameters<typeof createTransport>[0]);
      this.smtp.set(url, transporter);
    }
    const info = await transporter.sendMail(toNodemailer(message));
    const rejected: string[] = info.rejected ?? [];
    // Some recipients refused while others took it: delivered, but say so in the attempt log.
    const response = String(info.response ?? '');
    return { messageId: info.messageId, response: rejected.length ? `${response} (refused: ${rejected.join(', ')})` : response };
  }

  private async writeOutbox(message: MailMessage): Promise<MailReceipt> {
    this.stream ??= createTransport({ streamTransport: true, buffer: false, disableFileAccess: true, disableUrlAccess: true });
    const info = await this.stream.sendMail(toNodemailer(message));
    const file = await this.outbox.write(info.message as NodeJS.ReadableStream, info.messageId);
    return { messageId: info.messageId, response: `written to ${file}` };
  }
}

function toNodemailer(message: MailMessage): SendMailOptions {
  return {
    from: message.from,
    to: message.to,
    cc: message.cc,
    bcc: message.bcc,
    subject: message.subject,
    text: message.text,
    html: message.html,
    headers: message.headers,
    attachments: message.attachments?.map((a) => ({
      filename: a.filename,
      contentType: a.contentType,
      content: typeof a.content === 'string' || Buffer.isBuffer(a.content) ? a.content : asReadable(a.content),
    })),
  };
}

/** nodemailer pipes a `stream.Readable`; an old-style stream is wrapped, never read into memory. */
function asReadable(stream: NodeJS.ReadableStream): Readable {
  return stream instanceof Readable ? stream : new Readable().wrap(stream);
}
