import type { CompiledTemplate, OptionProblem, TemplateEngine } from '@leadrelay/sdk/plugin';
import { TemplateError } from '@leadrelay/sdk/plugin';

/** The posting URL, split so that only query values are templates (percent-encoded when rendered). */
export interface BuyerUrl {
  /** Scheme, host and path, without credentials, query or fragment. */
  base: string;
  query: { key: string; value: string | CompiledTemplate }[];
  /** Credentials written into the URL (`https://user:pass@…`), sent as basic auth instead. */
  credentials?: { username: string; password: string };
}

/** Splits at `&` (or `=`) outside `{{ … }}`, so a helper argument may hold either. */
function splitOutsideTemplates(text: string, separator: string, limit = Infinity): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.startsWith('{{', i)) {
      depth++;
      i++;
    } else if (text.startsWith('}}', i) && depth > 0) {
      depth--;
      i++;
    } else if (text[i] === separator && depth === 0 && parts.length < limit - 1) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** Checks and splits a posting URL; problems are reported at `option` (`url`, or `testUrl` which is checked the same way). */
export function prepareBuyerUrl(url: string, templates: TemplateEngine, variables: readonly string[], problems: OptionProblem[], option = 'url'): BuyerUrl | undefined {
  const withoutFragment = splitOutsideTemplates(url.trim(), '#', 2)[0];
  const [base, rawQuery] = splitOutsideTemplates(withoutFragment, '?', 2);
  if (base.includes('{{')) {
    problems.push({ path: [option], message: 'only query values may be templated (…?source={{campaign}})' });
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(base);
  } catch {
    problems.push({ path: [option], message: `'${base}' is not a URL` });
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    problems.push({ path: [option], message: `must be http or https, not ${parsed.protocol.replace(/:$/, '')}` });
    return undefined;
  }
  const credentials = parsed.username ? { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) } : undefined;
  parsed.username = '';
  parsed.password = '';

  const query: BuyerUrl['query'] = [];
  for (const pair of rawQuery ? splitOutsideTemplates(rawQuery, '&') : []) {
    if (pair === '') continue;
    const [key, value = ''] = splitOutsideTemplates(pair, '=', 2);
    if (key.includes('{{')) {
      problems.push({ path: [option], message: `query names cannot be templated ('${key}')` });
      continue;
    }
    if (!value.includes('{{')) {
      query.push({ key: encodeLoose(key), value: encodeLoose(value) });
      continue;
    }
    try {
      query.push({ key: encodeLoose(key), value: templates.compile(value, { name: `url ${key}`, escape: 'url', variables }) });
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      problems.push({ path: [option], message: `query value '${key}': ${error.message}` });
    }
  }
  return { base: parsed.toString(), query, credentials };
}

/** Percent-encodes what cannot stand in a query as written (spaces, quotes, non-ASCII), leaving existing `%XX` escapes alone. */
function encodeLoose(text: string): string {
  return text.replace(/[^A-Za-z0-9\-._~!$'()*+,;=:@/?%]/gu, (c) => encodeURIComponent(c));
}

/** The URL for one lead; `extra` (a GET's fields) is appended, form-encoded. */
export function renderBuyerUrl(url: BuyerUrl, context: Record<string, unknown>, extra?: URLSearchParams): string {
  const pairs = url.query.map(({ key, value }) => `${key}=${typeof value === 'string' ? value : value.render(context)}`);
  const more = extra?.toString();
  if (more) pairs.push(more);
  return pairs.length > 0 ? `${url.base}?${pairs.join('&')}` : url.base;
}

/** `POST https://host/path`: no query, no credentials (the admin API and console show it). */
export function summariseUrl(url: string): string {
  const base = url.split(/[?#]/)[0];
  try {
    const parsed = new URL(base);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return base;
  }
}
