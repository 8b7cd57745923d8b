import { STATUS_CODES } from 'node:http';
import { XMLValidator } from 'fast-xml-parser';
import { REDACTED } from '../engine/redaction';

/**
 * What the lead page shows of an attempt and of a pending dispatch's next one: plain values for
 * the template, which escapes every one of them (docs/api.md › Console › Lead page). Nothing here
 * throws on what a buyer sent: a body that does not read as its type is shown as text.
 */

/** An attempt as the admin API answers it (admin-queries.ts). */
export interface AttemptJson {
  at: string;
  durationMs: number;
  request: { method: string; url?: string; headers: Record<string, string>; body?: string } | null;
  response: { status: number; headers: Record<string, string>; body?: string; truncated?: boolean } | null;
  outcome: string;
  reason: string | null;
  error: string | null;
  captured?: Record<string, string> | null;
  batch?: string;
  /** A ping-post sale's attempt: `ping` or `post`, and the buyer. */
  phase?: 'ping' | 'post' | null;
  buyer?: string | null;
}

/** What the page needs of the batch an attempt belongs to (the API's batch, batches.controller.ts). */
export interface BatchFacts {
  id: string;
  campaign: string;
  mode: string;
  leadCount: number;
  plugin: string | null;
}

export type BodyView =
  | { kind: 'json' | 'xml' | 'text'; label: string; text: string; note?: string }
  | { kind: 'form'; label: string; pairs: { name: string; value: string }[] };

export interface MessageView {
  /** `POST https://…` for a request, `503 Service Unavailable` for a response. */
  line: string;
  headers: { name: string; value: string; redacted: boolean }[];
  body?: BodyView;
  /** The body was cut: by the buyer's limit on reading it, or at the 64 KiB kept. */
  cut: boolean;
}

export interface AttemptView {
  number: number;
  at: string;
  /** The answer in the heading: a status (`503 Service Unavailable`, an SMTP `250`) or the transport error. */
  answer: string | null;
  /** Shown under the heading when the heading could not carry all of it. */
  error: string | null;
  /** `12 ms`; none for a download, which is made, not sent. */
  duration: string | null;
  outcome: string;
  reason: string | null;
  captured: Record<string, string> | null;
  /** `Ping to acme`, `Post to acme`: a ping-post sale's attempt, in its heading. */
  sale?: string;
  batch?: { id: string; href: string; sentence: string };
  request?: MessageView;
  response?: MessageView;
  /** The dispatch's latest attempt: its request and response are shown open. */
  last: boolean;
}

/** The longest transport error a heading carries; a longer one is shown in full under it. */
const HEADING_ERROR = 100;

function lookup(headers: Record<string, string> | undefined, name: string): string | undefined {
  const key = Object.keys(headers ?? {}).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers![key];
}

function mimeType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

// One piece of an XML document as written: a comment, CDATA, a declaration or processing
// instruction, a DOCTYPE (with its internal subset), a tag (attribute values may hold `>`), text.
const XML_TOKEN = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE(?:[^>[]|\[[\s\S]*?\])*>|<\/?[^\s/>!?](?:[^>"']|"[^"]*"|'[^']*')*>|[^<]+/g;

interface XmlElement {
  open: string;
  close: string;
  children: (XmlElement | string)[];
}

const isText = (piece: XmlElement | string) => typeof piece === 'string' && !piece.startsWith('<');
const isBlank = (piece: XmlElement | string) => isText(piece) && !(piece as string).trim();
const written = (piece: XmlElement | string): string => (typeof piece === 'string' ? piece : piece.open + piece.children.map(written).join('') + piece.close);

/** An element whose children are all elements (and comments) one per line, deeper; anything else as written. */
function indented(piece: XmlElement | string, depth: number, lines: string[]): void {
  const pad = '  '.repeat(depth);
  const kids = typeof piece === 'string' ? [] : piece.children.filter((k) => !isBlank(k));
  if (typeof piece === 'string' || !kids.length || kids.some((k) => isText(k) || (typeof k === 'string' && k.startsWith('<![CDATA[')))) {
    lines.push(pad + written(piece));
    return;
  }
  lines.push(pad + piece.open);
  for (const kid of kids) indented(kid, depth + 1, lines);
  lines.push(pad + piece.close);
}

/**
 * Well-formed XML re-indented two spaces a level, or undefined. Only whitespace between elements
 * changes: every tag, text, entity, CDATA section and comment stays exactly as the buyer wrote it,
 * and an element holding text (mixed content included) stays on one line as it was.
 */
export function indentXml(text: string): string | undefined {
  if (XMLValidator.validate(text) !== true) return undefined;
  const tokens = text.match(XML_TOKEN) ?? [];
  // The validator said it is XML; if the pieces do not add up to it, show it as it is.
  if (tokens.join('') !== text) return undefined;
  const root: XmlElement = { open: '', close: '', children: [] };
  const open: XmlElement[] = [root];
  for (const token of tokens) {
    const parent = open[open.length - 1];
    if (token.startsWith('</')) {
      const element = open.pop()!;
      if (open.length === 0) return undefined;
      element.close = token;
    } else if (/^<[^!?]/.test(token) && !token.endsWith('/>')) {
      const element: XmlElement = { open: token, close: '', children: [] };
      parent.children.push(element);
      open.push(element);
    } else {
      parent.children.push(token);
    }
  }
  if (open.length !== 1) return undefined;
  const lines: string[] = [];
  for (const piece of root.children) if (!isBlank(piece)) indented(piece, 0, lines);
  return lines.join('\n');
}

function jsonText(text: string): string | undefined {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return undefined;
  }
}

/**
 * A body shown by its content type: JSON and XML indented, a form as a name/value table, anything
 * else as text. Without a content type (an email's text, a file's summary), JSON or XML is
 * recognised by its first character. A body that does not parse as its type is text, with a note.
 */
export function bodyView(body: string | undefined, contentType: string | undefined): BodyView | undefined {
  if (body === undefined || body === '') return undefined;
  const mime = mimeType(contentType);
  const start = body.trimStart()[0];
  const json = mime === 'application/json' || mime === 'text/json' || mime.endsWith('+json');
  const xml = mime === 'application/xml' || mime === 'text/xml' || mime.endsWith('+xml');
  if (json || (!mime && (start === '{' || start === '['))) {
    const text = jsonText(body);
    if (text !== undefined) return { kind: 'json', label: 'JSON', text };
    if (json) return { kind: 'text', label: 'text', text: body, note: 'not valid JSON: shown as it is' };
  }
  if (xml || (!mime && start === '<')) {
    const text = indentXml(body);
    if (text !== undefined) return { kind: 'xml', label: 'XML', text };
    if (xml) return { kind: 'text', label: 'text', text: body, note: 'not well-formed XML: shown as it is' };
  }
  if (mime === 'application/x-www-form-urlencoded') {
    // URLSearchParams reads any text (a bad %-escape stays as written), so a form never fails.
    return { kind: 'form', label: 'form', pairs: Array.from(new URLSearchParams(body), ([name, value]) => ({ name, value })) };
  }
  return { kind: 'text', label: 'text', text: body };
}

function headerRows(headers: Record<string, string> | undefined): MessageView['headers'] {
  return Object.entries(headers ?? {}).map(([name, value]) => (value === REDACTED ? { name, value: '', redacted: true } : { name, value, redacted: false }));
}

/** `503 Service Unavailable` over HTTP; another protocol's code (an SMTP reply) alone. */
export function statusText(status: number, url: string | undefined): string {
  const http = !url || /^https?:/i.test(url);
  const text = http ? STATUS_CODES[status] : undefined;
  return text ? `${status} ${text}` : String(status);
}

const leads = (n: number) => `${n} lead${n === 1 ? '' : 's'}`;

/** The line that says what a batch's attempt was, in place of the stored reason of a download. */
function batchLine(attempt: AttemptJson, batch: BatchFacts): { id: string; href: string; sentence: string } {
  const download = attempt.outcome === 'delivered' && !attempt.request && batch.mode === 'on-demand';
  const what = download ? 'Manual download' : `${batch.mode === 'scheduled' ? 'Scheduled' : 'On-demand'} send${batch.plugin ? ` (${batch.plugin})` : ''}`;
  return { id: batch.id, href: `/console/campaigns/${encodeURIComponent(batch.campaign)}/batches`, sentence: `${what}: ${leads(batch.leadCount)} in batch` };
}

/** Attempt `index` (from 0) of a dispatch, as the lead page shows it; `batch` when it was a batch's. */
export function attemptView(attempt: AttemptJson, index: number, batch?: BatchFacts, last = false): AttemptView {
  const { request, response } = attempt;
  const line = batch ? batchLine(attempt, batch) : undefined;
  const download = line?.sentence.startsWith('Manual download');
  const answer = response ? statusText(response.status, request?.url) : attempt.error ? attempt.error.slice(0, HEADING_ERROR) : null;
  return {
    number: index + 1,
    at: attempt.at,
    answer: answer && !response && attempt.error!.length > HEADING_ERROR ? `${answer}…` : answer,
    error: attempt.error && (response || attempt.error.length > HEADING_ERROR) ? attempt.error : null,
    duration: download ? null : `${attempt.durationMs} ms`,
    outcome: attempt.outcome,
    // A download's stored reason (`manual delivery of 2 lead(s)`) says what the batch line says.
    reason: download ? null : attempt.reason === attempt.error ? null : attempt.reason,
    captured: attempt.captured ?? null,
    last,
    ...(attempt.phase && attempt.buyer ? { sale: `${attempt.phase === 'ping' ? 'Ping' : 'Post'} to ${attempt.buyer}` } : {}),
    ...(line ? { batch: line } : {}),
    ...(request
      ? {
          request: {
            line: `${request.method} ${request.url ?? ''}`.trim(),
            headers: headerRows(request.headers),
            body: bodyView(request.body, lookup(request.headers, 'content-type')),
            cut: (request.body ?? '').endsWith('…[cut]'),
          },
        }
      : {}),
    ...(response
      ? {
          response: {
            line: statusText(response.status, request?.url),
            headers: headerRows(response.headers),
            body: bodyView(response.body, lookup(response.headers, 'content-type')),
            cut: Boolean(response.truncated) || (response.body ?? '').endsWith('…[cut]'),
          },
        }
      : {}),
  };
}

/** A dispatch's attempts, oldest first, each with its batch's facts when it was a batch's. */
export function attemptViews(attempts: AttemptJson[], batches: ReadonlyMap<string, BatchFacts>): AttemptView[] {
  return attempts.map((a, i) => attemptView(a, i, a.batch ? batches.get(a.batch) : undefined, i === attempts.length - 1));
}

/** A dispatch as the admin API answers it, as far as its next attempt goes. */
export interface PendingDispatch {
  status: string;
  nextAttemptAt: string | null;
  heldBy: string | null;
  batch: string | null;
}

export interface NextAttemptView {
  /** When, if known (ISO). */
  at: string | null;
  /** When, in words, if no time is known. */
  when: string;
  heldBy: string | null;
  /** Why it waits, as a sentence; none when nothing holds it. */
  why?: string;
}

const HOLDS: Record<string, string> = {
  retry: 'the last attempt asked for another try, which waits out its retry delay.',
  cap: "the buyer's cap for this window is reached; it goes when the window rolls over.",
  hours: "it is outside the buyer's delivery hours; it goes when they open.",
  rate: "the buyer's rate limit paces sends; it goes when there is room.",
  breaker: "the breaker is open after the buyer's repeated failures; it goes once a trial send gets an answer.",
  paused: 'the delivery is paused; it goes when an operator resumes it.',
};

/** What the page says under a pending dispatch about its next attempt; undefined once it is final. */
export function nextAttemptView(dispatch: PendingDispatch, mode: string | undefined): NextAttemptView | undefined {
  if (dispatch.status !== 'pending') return undefined;
  const { nextAttemptAt: at, heldBy } = dispatch;
  if (heldBy) return { at, when: 'when the hold ends', heldBy, why: HOLDS[heldBy] ?? `held by ${heldBy}.` };
  const when = dispatch.batch ? 'when its batch is sent' : mode === 'scheduled' ? 'with the next scheduled batch' : mode === 'on-demand' ? 'with the next manual delivery' : 'now (it is queued)';
  return { at, when, heldBy };
}
