import { isDeepStrictEqual } from 'node:util';
import type { BuyerResponse, Classification, ClassifierRule, ValueSource, Outcome } from '@leadrelay/sdk/plugin';
import { selectDotPath } from './dot-path.selector';
import { headerValue, parseJson, parsePrice, parseXml, selectValues, type ResponseDocument } from './response.document';
import { asPattern, firstGroup } from './search.pattern';

/**
 * Ordered rules, first match wins. A rule's `json` and `xpath` read the body as JSON or XML
 * whatever its Content-Type says (the rule names the format); a body that does not parse fails
 * the condition. Rules with `error` match only transport errors, and only they do.
 */
export function classifyRules(
  rules: readonly ClassifierRule[],
  fallback: { outcome: Outcome; reason?: string },
  response: BuyerResponse,
): Classification | undefined {
  const body = new LazyDocuments(response.body);
  for (const rule of rules) {
    if (!matches(rule, response, body)) continue;
    const classification: Classification = { outcome: rule.outcome };
    const reason = rule.reason !== undefined ? extract(rule.reason, response, body, 'all') : undefined;
    if (reason) classification.reason = reason;
    const price = rule.price !== undefined ? parsePrice(extract(rule.price, response, body, 'first')) : undefined;
    if (price !== undefined) classification.price = price;
    const reference = rule.reference !== undefined ? extract(rule.reference, response, body, 'first') : undefined;
    if (reference) classification.reference = reference;
    return classification;
  }
  // A transport error no rule claimed is left to the caller (retry).
  if (response.error) return undefined;
  return fallback.reason ? { outcome: fallback.outcome, reason: fallback.reason } : { outcome: fallback.outcome };
}

function matches(rule: ClassifierRule, response: BuyerResponse, body: LazyDocuments): boolean {
  if (response.error) return rule.error === true || (typeof rule.error === 'string' && rule.error === response.error.code);
  if (rule.error !== undefined) return false;
  if (rule.status !== undefined) {
    const [low, high] = typeof rule.status === 'number' ? [rule.status, rule.status] : rule.status;
    if (response.status === undefined || response.status < low || response.status > high) return false;
  }
  if (rule.header) {
    const value = headerValue(response.headers, rule.header.name);
    const pattern = asPattern(rule.header.matches);
    if (value === undefined || !pattern?.test(value)) return false;
  }
  if (rule.body !== undefined && !asPattern(rule.body)?.test(response.body)) return false;
  if (rule.json) {
    const document = body.json();
    if (!document || document.kind !== 'json') return false;
    const values = selectDotPath(document.value, rule.json.path).flatMap((v) => (Array.isArray(v) ? [v, ...v] : [v]));
    if (!values.some((v) => valueMatches(v, rule.json!.equals, rule.json!.matches, 'equals' in rule.json!))) return false;
  }
  if (rule.xpath) {
    const document = body.xml();
    if (!document) return false;
    const values = selectValues(document, rule.xpath.path).map((v) => v.trim());
    if (!values.some((v) => valueMatches(v, rule.xpath!.equals, rule.xpath!.matches, rule.xpath!.equals !== undefined))) return false;
  }
  return true;
}

function valueMatches(value: unknown, equals: unknown, matches: RegExp | string | undefined, testEquals: boolean): boolean {
  if (testEquals && !isDeepStrictEqual(value, equals)) return false;
  if (matches !== undefined) {
    const pattern = asPattern(matches);
    const text = value !== null && typeof value === 'object' ? JSON.stringify(value) : String(value);
    if (!pattern?.test(text)) return false;
  }
  return true;
}

/** Reasons take every value found (joined with `, `); price and reference the first. */
function extract(from: ValueSource, response: BuyerResponse, body: LazyDocuments, take: 'all' | 'first'): string | undefined {
  let values: string[];
  if (typeof from === 'string') values = [from];
  else if ('json' in from) {
    const document = body.json();
    values = document ? selectValues(document, from.json) : [];
  } else if ('xpath' in from) {
    const document = body.xml();
    values = document ? selectValues(document, from.xpath) : [];
  } else if ('header' in from) {
    const value = headerValue(response.headers, from.header);
    values = value === undefined ? [] : [value];
  } else {
    const pattern = asPattern(from.body);
    const value = pattern ? firstGroup(pattern, response.body) : undefined;
    values = value === undefined ? [] : [value];
  }
  const kept = values.map((v) => v.trim()).filter((v) => v !== '');
  if (kept.length === 0) return undefined;
  return take === 'first' ? kept[0] : kept.join(', ');
}

/** Each format parsed at most once per response, and only if a rule asks for it. */
class LazyDocuments {
  private parsed: { json?: ResponseDocument | null; xml?: ResponseDocument | null } = {};

  constructor(private readonly body: string) {}

  json(): ResponseDocument | undefined {
    if (this.parsed.json === undefined) this.parsed.json = parseJson(this.body) ?? null;
    return this.parsed.json ?? undefined;
  }

  xml(): ResponseDocument | undefined {
    if (this.parsed.xml === undefined) this.parsed.xml = parseXml(this.body) ?? null;
    return this.parsed.xml ?? undefined;
  }
}
