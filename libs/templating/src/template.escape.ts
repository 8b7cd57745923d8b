import type { TemplateEscape } from '@leadrelay/sdk/plugin';

/**
 * Text a helper has already written in a body language (`json` → a JSON literal, `xml` → escaped
 * XML). A template of the same language inserts it as is; any other template escapes it like any
 * value, so `{{json x}}` inside a URL query value is still percent-encoded.
 */
export class EncodedText {
  constructor(
    readonly language: 'json' | 'xml',
    readonly text: string,
  ) {}

  toString(): string {
    return this.text;
  }
}

/** How a template value becomes text before escaping: dates as ISO 8601, nothing for null. */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  if (value instanceof EncodedText) return value.text;
  return String(value);
}

// XML 1.0 cannot carry these at all, not even as character references: dropping them is the only
// way to keep the body well-formed.
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const XML_SPECIAL: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // Parsers normalise a raw CR to LF, and tabs and newlines to spaces in attribute values:
  // references keep them exactly as the lead had them, wherever the value lands.
  '\r': '&#xD;',
  '\n': '&#xA;',
  '\t': '&#x9;',
  // XML 1.1 parsers (and some 1.0 ones, xmldom among them) read these as line ends too.
  '\u0085': '&#x85;',
  '\u2028': '&#x2028;',
  '\u2029': '&#x2029;',
};

export function escapeXml(text: string): string {
  return text.replace(XML_FORBIDDEN, '').replace(/[&<>"'\r\n\t\u0085\u2028\u2029]/g, (c) => XML_SPECIAL[c]);
}

const HTML_SPECIAL: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
  '=': '&#x3D;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`=]/g, (c) => HTML_SPECIAL[c]);
}

/** The content of a JSON string, without its quotes: `"{{x}}"` is valid JSON for any x. */
export function escapeJsonString(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

// encodeURIComponent throws on a lone surrogate; a lead value must never make a delivery throw.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function escapeUrl(text: string): string {
  return encodeURIComponent(text.replace(LONE_SURROGATE, '\uFFFD'));
}

/** Writes one template value into a body of the given language. */
export function escapeFor(mode: TemplateEscape, value: unknown): string {
  if (value instanceof EncodedText && (value.language === mode || (value.language === 'xml' && mode === 'html'))) {
    return value.text;
  }
  const text = valueText(value);
  switch (mode) {
    case 'json':
      return escapeJsonString(text);
    case 'xml':
      return escapeXml(text);
    case 'html':
      return escapeHtml(text);
    case 'url':
      return escapeUrl(text);
    case 'text':
      return text;
  }
}
