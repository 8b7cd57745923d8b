import { STATUS_CODES } from 'node:http';
import type { BuyerResponse, Classification } from '@leadrelay/sdk/plugin';
import { headerValue } from './response.document';

/** Statuses that mean "not now" rather than "no": the same lead may well be taken later. */
const NOT_NOW = new Set([408, 425, 429]);
/** How much of a 4xx body goes into the reason: enough for "Invalid API key", not a whole error page. */
const BODY_IN_REASON = 200;

/**
 * How an answer is read when a delivery gives no `classify` (docs/campaigns.md › Classifiers). Only
 * a 2xx is delivered: an endpoint that moved (3xx) or a password that expired (401) must show as
 * rejected, with what the buyer said, instead of "delivering" leads nobody took. 408, 425, 429
 * and 5xx are worth trying again. Transport errors never reach here.
 */
export function classifyByDefault(response: BuyerResponse & { status: number }): Classification {
  const { status } = response;
  if (status >= 200 && status <= 299) return { outcome: 'delivered' };
  if ((status >= 500 && status <= 599) || NOT_NOW.has(status)) return { outcome: 'retry', reason: statusLine(status) };
  if (status >= 300 && status <= 399) {
    const location = headerValue(response.headers, 'location')?.trim();
    // With followRedirects on, only a 3xx the client cannot follow (300, 304, no Location) gets here.
    return { outcome: 'rejected', reason: location ? `HTTP ${status} redirect to ${location} (redirects are not followed)` : `${statusLine(status)} without a Location` };
  }
  if (status >= 400 && status <= 499) {
    const said = bodyStart(response.body);
    return { outcome: 'rejected', reason: said ? `HTTP ${status}: ${said}` : statusLine(status) };
  }
  return { outcome: 'rejected', reason: `Unexpected ${statusLine(status)}` };
}

/** `HTTP 503 Service Unavailable`; just `HTTP 599` for a code without a standard name. */
function statusLine(status: number): string {
  const name = STATUS_CODES[status];
  return name ? `HTTP ${status} ${name}` : `HTTP ${status}`;
}

/** The body's first characters on one line: runs of whitespace and control characters become one space. */
function bodyStart(body: string): string {
  // Reading a few times the limit is enough unless the body is mostly whitespace; no need to scan a megabyte.
  const text = body.slice(0, BODY_IN_REASON * 8).replace(/[\s\p{Cc}]+/gu, ' ').trim();
  if (text === '' || (text.length <= BODY_IN_REASON && body.length <= BODY_IN_REASON * 8)) return text;
  let cut = text.slice(0, BODY_IN_REASON);
  // Never end on half a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut.trimEnd()}…`;
}
