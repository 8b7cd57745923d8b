import { parse } from 'csv-parse/sync';
import { eventually } from '../../support/test-server';
import { TestSmtpServer, type ReceivedMail, type SmtpRefusal } from '../../../libs/mail/testing/test-smtp.server';

export type { ReceivedMail };

/**
 * The buyer's mail server for the email suites: a real SMTP server (smtp-server, every message
 * parsed by mailparser) that a test can tell to refuse the next messages, or to hang after DATA.
 */
export class MailInbox {
  /** Replies for the end of DATA of the next messages, in order; empty → 250. */
  readonly refusals: SmtpRefusal[] = [];
  /** Refuse every message with this reply until it is unset. */
  refuseAll?: SmtpRefusal;
  /** Never answer the end of DATA while true (a server that hangs). */
  hold = false;

  private constructor(readonly server: TestSmtpServer) {}

  static async start(): Promise<MailInbox> {
    let inbox: MailInbox | undefined;
    const server = await TestSmtpServer.start({
      data: () => inbox!.refusals.shift() ?? inbox!.refuseAll,
      holdData: () => inbox!.hold,
    });
    inbox = new MailInbox(server);
    return inbox;
  }

  get url(): string {
    return this.server.url();
  }

  /** Messages accepted for a recipient (To or Cc), in the order they arrived. */
  to(address: string): ReceivedMail[] {
    return this.server.received.filter((m) => m.to.includes(address));
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

/** The batch id a scheduled message carries. */
export function batchOf(mail: ReceivedMail): string {
  return String(mail.parsed.headers.get('x-leadrelay-batch') ?? '');
}

/** The one attachment's bytes. */
export function attachment(mail: ReceivedMail): { filename: string; contentType: string; content: Buffer } {
  expect(mail.parsed.attachments).toHaveLength(1);
  const [a] = mail.parsed.attachments;
  return { filename: a.filename ?? '', contentType: a.contentType, content: a.content };
}

/** A CSV or TSV file as rows of strings (quotes undone), checking every line ends in CRLF. */
export function fileRows(content: Buffer | string, delimiter: ',' | '\t' = ','): string[][] {
  const text = content.toString();
  expect(text.endsWith('\r\n')).toBe(true);
  return parse(text, { delimiter, record_delimiter: '\r\n', relax_quotes: false, bom: false }) as string[][];
}

/** Posts a lead; answers the intake's 201 body. */
export async function postLead(baseUrl: string, campaign: string, key: string, lead: Record<string, unknown>): Promise<any> {
  const res = await fetch(`${baseUrl}/v1/campaigns/${campaign}/leads`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify(lead),
  });
  if (res.status !== 201) throw new Error(`lead refused: ${res.status} ${await res.text()}`);
  return res.json();
}

/** The lead ids of a batch file whose last two columns are lead_id and received_at. */
export function leadIdsOf(rows: string[][]): string[] {
  return rows.map((r) => r[r.length - 2]);
}

/** `eventually` for a check that answers what it waits for, or undefined while it is not there yet. */
export async function waitFor<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  return (await eventually(check, timeoutMs, what)) as T;
}
