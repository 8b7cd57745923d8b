import type { BuyerResponse, LeadConduitOptions, OptionProblem } from '@leadrelay/sdk/plugin';
import { headerValue } from './response.document';
import { firstGroup, toPattern } from './search.pattern';

/** The key `cookie_search_term` fills, as LeadConduit names the value it appends. */
const COOKIE = 'cookie';

/**
 * What `capture` and `cookie_search_term` read from an answer, or `undefined` when nothing was
 * found. Captures run on the body as received, whatever its type (LeadConduit runs them on text
 * and HTML only, because it appends JSON and XML documents whole, which leadrelay does not);
 * an expression that finds nothing leaves its name out, as in LeadConduit.
 */
export function capturedValues(options: LeadConduitOptions, response: BuyerResponse): Record<string, string> | undefined {
  const entries: [string, string][] = [];
  for (const [name, expression] of Object.entries(options.capture ?? {})) {
    const pattern = toPattern(expression.trim(), { ignoreCase: false });
    const value = pattern ? firstGroup(pattern, response.body) : undefined;
    if (value !== undefined) entries.push([name, value]);
  }
  if (options.cookie_search_term !== undefined) {
    const cookie = matchingCookie(response.headers, options.cookie_search_term);
    if (cookie !== undefined) entries.push([COOKIE, cookie]);
  }
  // fromEntries makes own properties even of odd names, never a prototype.
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/**
 * LeadConduit's cookie search: the answer's `Set-Cookie` headers in sorted order, the first one
 * the term matches (case-insensitive, an empty term matches any), whole.
 */
function matchingCookie(headers: Record<string, string>, term: string): string | undefined {
  const pattern = toPattern(term.trim(), { ignoreCase: true });
  if (!pattern) return undefined;
  return setCookieHeaders(headerValue(headers, 'set-cookie'))
    .sort()
    .find((header) => pattern.test(header));
}

/**
 * The separate `Set-Cookie` headers of an answer, which the HTTP client hands over joined with
 * `, `. A comma starts a new cookie only where `name=` follows, so the comma inside
 * `Expires=Wed, 21 Oct 2026 07:28:00 GMT` stays where it is.
 */
export function setCookieHeaders(joined: string | undefined): string[] {
  if (!joined?.trim()) return [];
  return joined
    .split(/,\s*(?=[^;,=\s]+=)/)
    .map((header) => header.trim())
    .filter((header) => header !== '');
}

/**
 * Settings `capture` and `cookie_search_term` cannot work with, found when the campaign loads:
 * LeadConduit silently captures nothing with an expression that does not compile; here the
 * check says so instead. Paths are relative to the delivery's `classify`.
 */
export function captureProblems(options: LeadConduitOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  for (const [name, expression] of Object.entries(options.capture ?? {})) {
    if (!toPattern(expression.trim(), { ignoreCase: false })) problems.push({ path: ['capture', name], message: `'${expression}' is not a valid regular expression` });
  }
  const term = options.cookie_search_term;
  if (term !== undefined && !toPattern(term.trim(), { ignoreCase: true })) {
    problems.push({ path: ['cookie_search_term'], message: `'${term}' is not a valid regular expression` });
  }
  if (term !== undefined && options.capture && Object.hasOwn(options.capture, COOKIE)) {
    problems.push({ path: ['capture', COOKIE], message: `the name '${COOKIE}' is where cookie_search_term keeps the cookie it finds; choose another name` });
  }
  return problems;
}
