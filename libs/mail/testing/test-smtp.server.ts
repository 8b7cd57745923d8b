import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerAddress, type SMTPServerOptions } from 'smtp-server';

/** One message as the test server took it. */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: Buffer;
  parsed: ParsedMail;
}

/** An SMTP reply to refuse a step with, e.g. `{ code: 421, text: 'Try again later' }`. */
export interface SmtpRefusal {
  code: number;
  text: string;
}

export interface TestSmtpServerOptions {
  /** Refuse `MAIL FROM` / `RCPT TO` / end of `DATA` when this answers a refusal. */
  mailFrom?: (address: string) => SmtpRefusal | undefined;
  rcptTo?: (address: string) => SmtpRefusal | undefined;
  data?: () => SmtpRefusal | undefined;
  /**
   * Take the whole message but never answer it while this says so: a server that hangs after
   * DATA (the client waits until the server closes). Checked before `data`.
   */
  holdData?: () => boolean;
  /** TLS from the first byte, with smtp-server's built-in self-signed certificate. */
  secure?: boolean;
  /** Require AUTH with these credentials. */
  auth?: { user: string; pass: string };
}

/**
 * A real SMTP server on 127.0.0.1 and a random port, for tests (tests use real servers, never
 * mocks). It keeps every accepted message, raw and parsed.
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = [];

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
    private readonly secure: boolean,
  ) {}

  static async start(options: TestSmtpServerOptions = {}): Promise<TestSmtpServer> {
    let self: TestSmtpServer | undefined;
    const refuse = (r: SmtpRefusal | undefined, callback: (err?: Error | null) => void) => {
      if (!r) return callback();
      callback(Object.assign(new Error(r.text), { responseCode: r.code }));
    };
    const config: SMTPServerOptions = {
      secure: options.secure ?? false,
      // STARTTLS would upgrade to the self-signed certificate and fail verification; tests that
      // want TLS use `secure` and say how to trust it.
      disabledCommands: options.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      authOptional: !options.auth,
      allowInsecureAuth: true,
      logger: false,
      // A client's pool keeps idle connections open; don't wait the default 30 s for them at close.
      closeTimeout: 100,
      onAuth: (auth, _session, callback) => {
        const ok = options.auth && auth.username === options.auth.user && auth.password === options.auth.pass;
        callback(ok ? null : Object.assign(new Error('Invalid username or password'), { responseCode: 535 }), ok ? { user: auth.username } : undefined);
      },
      onMailFrom: (address: SMTPServerAddress, _session, callback) => refuse(options.mailFrom?.(address.address), callback),
      onRcptTo: (address: SMTPServerAddress, _session, callback) => refuse(options.rcptTo?.(address.address), callback),
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (options.holdData?.()) return;
          const refusal = options.data?.();
          if (refusal) return refuse(refusal, callback);
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (parsed) => {
              self!.received.push({
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                to: session.envelope.rcptTo.map((r) => r.address),
                raw,
                parsed,
              });
              callback();
            },
            (err) => callback(err),
          );
        });
      },
    };
    const server = new SMTPServer(config);
    const port = await new Promise<number>((resolve, reject) => {
      server.on('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port));
    });
    self = new TestSmtpServer(server, port, options.secure ?? false);
    return self;
  }

  /** `smtp://127.0.0.1:<port>` (or `smtps://`), with `userinfo@` and `?query` when given. */
  url(parts: { userinfo?: string; query?: string } = {}): string {
    const userinfo = parts.userinfo ? `${parts.userinfo}@` : '';
    const query = parts.query ? `?${parts.query}` : '';
    return `${this.secure ? 'smtps' : 'smtp'}://${userinfo}127.0.0.1:${this.port}${query}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
