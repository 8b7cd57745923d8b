import { MailError } from '@leadrelay/sdk/plugin';

/**
 * Failures where the message never got a verdict from the server: the connection dropped, timed
 * out, could not be made, or TLS could not be set up. Trying again later may well work. `ESTREAM`
 * is here too: the attachment stream broke on our side, and the host re-opens the file on retry.
 */
const CONNECTION_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EPROXY',
  'ESTREAM',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * Failures that the same message through the same settings would get again: bad configuration,
 * an envelope the client itself refuses, credentials missing or refused without an SMTP reply.
 */
const CONFIGURATION_CODES = new Set([
  'ECONFIG',
  'EENVELOPE',
  'EMESSAGE',
  'EAUTH',
  'ENOAUTH',
  'EOAUTH2',
  'EREQUIRETLS',
  'EMAXRECIPIENTS',
  'EFILEACCESS',
  'EURLACCESS',
]);

interface NodemailerFailure {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/**
 * Turns whatever nodemailer (or the file system, in outbox mode) threw into the SDK's `MailError`.
 *
 * An SMTP reply decides when there is one: 4xx is transient, 5xx permanent with the server's own
 * words as the message. 503 (bad sequence of commands) counts as transient, as RFC 5321 and
 * nodemailer's own `err.permanent` read it: it blames the session's state, not the message.
 */
export function toMailError(err: unknown): MailError {
  if (err instanceof MailError) return err;
  const failure = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as NodemailerFailure;
  const message = failure.message ?? String(err);
  const responseCode = failure.responseCode;
  if (typeof responseCode === 'number' && responseCode > 0) {
    const reply = (failure.response ?? message).trim();
    const permanent = responseCode >= 500 && responseCode < 600 && responseCode !== 503;
    return new MailError(permanent ? 'permanent' : 'transient', reply, responseCode);
  }
  const codes = [failure.code, failure.originalCode].filter((c): c is string => typeof c === 'string');
  const described = codes.length ? `${codes[0]}: ${message}` : message;
  if (codes.some((c) => CONNECTION_CODES.has(c))) return new MailError('transient', described);
  if (codes.some((c) => CONFIGURATION_CODES.has(c))) return new MailError('permanent', described);
  // Unknown trouble (disk full while writing the outbox, a bug): retrying is the safe side, as the
  // host gives up after its limit and the dispatch ends `failed` rather than lost.
  return new MailError('transient', described);
}
