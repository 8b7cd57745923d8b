import { load, type CheerioAPI } from 'cheerio';
import { DOMParser } from '@xmldom/xmldom';
import { XMLValidator } from 'fast-xml-parser';
import { selectDotPath } from './dot-path.selector';
import { firstGroup, toPattern } from './search.pattern';

// xpath's type declarations pull the DOM library into the whole program; this is all we use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const xpath = require('xpath') as { select(expression: string, node: unknown): unknown };

/** A buyer's body read by its type; a body that does not parse as its type is text. */
export type ResponseDocument =
  | { kind: 'json'; value: unknown }
  | { kind: 'xml'; document: unknown }
  | { kind: 'html'; $: CheerioAPI }
  | { kind: 'text'; text: string };

function mimeType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/** Reads a body by its MIME type: JSON, XML, HTML, form-encoded (read like JSON), anything else text. */
export function readDocument(body: string, contentType: string | undefined): ResponseDocument {
  const mime = mimeType(contentType);
  if (mime === 'application/json' || mime === 'text/json' || mime.endsWith('+json')) return parseJson(body) ?? { kind: 'text', text: body };
  if (mime === 'application/xml' || mime === 'text/xml' || mime.endsWith('+xml')) return parseXml(body) ?? { kind: 'text', text: body };
  if (mime === 'text/html') return parseHtml(body) ?? { kind: 'text', text: body };
  if (mime === 'application/x-www-form-urlencoded') return { kind: 'json', value: parseForm(body) };
  return { kind: 'text', text: body };
}

export function parseJson(body: string): ResponseDocument | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return value !== null && typeof value === 'object' ? { kind: 'json', value } : undefined;
  } catch {
    return undefined;
  }
}

export function parseXml(body: string): ResponseDocument | undefined {
  if (XMLValidator.validate(body) !== true) return undefined;
  try {
    const document = new DOMParser({
      onError: (level, message) => {
        if (level !== 'warning') throw new Error(message);
      },
    }).parseFromString(body, 'text/xml');
    return { kind: 'xml', document };
  } catch {
    return undefined;
  }
}

/** Like LeadConduit, a body is HTML only if it starts with markup: `text/html` is often a lie. */
function parseHtml(body: string): ResponseDocument | undefined {
  return body.trimStart().startsWith('<') ? { kind: 'html', $: load(body) } : undefined;
}

function parseForm(body: string): Record<string, string | string[]> {
  const form: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const seen = form[key];
    form[key] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return form;
}

/**
 * The values a path selects: a dot path for JSON, an XPath for XML, a CSS selector (optionally
 * ending in ` @attribute`) for HTML, a regular expression (its first group) for text. `markup`
 * asks for the inner HTML of HTML elements rather than their text, which is what LeadConduit
 * searches a term in. A path that does not parse selects nothing.
 */
export function selectValues(document: ResponseDocument, path: string, options: { markup?: boolean } = {}): string[] {
  switch (document.kind) {
    case 'json':
      return selectDotPath(document.value, path).flatMap((v) => (Array.isArray(v) ? v : [v])).flatMap(jsonText);
    case 'xml':
      return selectXPath(document.document, path);
    case 'html':
      return selectCss(document.$, path, options.markup ?? false);
    case 'text': {
      const pattern = toPattern(path.trim(), { ignoreCase: false });
      const value = pattern ? firstGroup(pattern, document.text) : undefined;
      return value === undefined ? [] : [value];
    }
  }
}

function jsonText(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  return [typeof value === 'object' ? JSON.stringify(value) : String(value)];
}

interface XmlNode {
  nodeType: number;
  nodeValue: string | null;
  textContent: string | null;
}

function selectXPath(document: unknown, path: string): string[] {
  let selected: unknown;
  try {
    selected = xpath.select(path.trim(), document);
  } catch {
    return [];
  }
  if (selected === null || selected === undefined) return [];
  if (!Array.isArray(selected)) return typeof selected === 'object' ? [nodeText(selected as XmlNode)] : [String(selected)];
  return selected.map((node: XmlNode) => nodeText(node));
}

/** Text, CDATA and attributes give their value; elements their text content. */
function nodeText(node: XmlNode): string {
  return node.nodeValue ?? node.textContent ?? '';
}

const ATTRIBUTE = /\s*@([a-z_:][-a-z0-9_:.]*)\s*$/i;

function selectCss($: CheerioAPI, path: string, markup: boolean): string[] {
  const attribute = ATTRIBUTE.exec(path)?.[1];
  const selector = path.replace(ATTRIBUTE, '').trim();
  try {
    return $(selector)
      .toArray()
      .map((element) => (attribute ? $(element).attr(attribute) : markup ? $(element).html() : $(element).text()))
      .filter((v): v is string => typeof v === 'string');
  } catch {
    return [];
  }
}

/** Header lookup that ignores the name's case (fixtures and some hosts keep `Content-Type`). */
export function headerValue(headers: Record<string, string>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** `1.5`, `"12.50"`, `"$1,250.00"` → a number; anything else is no price. */
export function parsePrice(value: string | number | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const amount = typeof value === 'number' ? value : Number(String(value).trim().replace(/^\$/, '').replace(/,/g, ''));
  return Number.isFinite(amount) ? amount : undefined;
}
