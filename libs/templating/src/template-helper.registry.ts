import type { HelperOptions } from 'handlebars';
import type { TemplateEscape } from '@leadrelay/sdk/plugin';
import { EncodedText, escapeFor, escapeXml, valueText } from './template.escape';
import { formatDate, toDate } from './date.format';

type Helper = (...args: unknown[]) => unknown;

/** Handlebars passes its options object last; what comes before are the template's arguments. */
function withArgs(fn: (args: unknown[], options: HelperOptions) => unknown): Helper {
  return (...all: unknown[]) => fn(all.slice(0, -1), all[all.length - 1] as HelperOptions);
}

const blank = (value: unknown) => value === null || value === undefined || value === '';
const truthy = (value: unknown) => !(!value || (Array.isArray(value) && value.length === 0));
const same = (a: unknown, b: unknown) =>
  a === b || (a !== null && b !== null && a !== undefined && b !== undefined && typeof a !== 'object' && typeof b !== 'object' && String(a) === String(b));

/** The helpers campaign templates may call, besides Handlebars' `if`, `unless`, `each` and `with`. */
export function templateHelpers(clock: { now(): Date }): Record<string, Helper> {
  return {
    /** `{{json x}}`: a whole JSON literal (`"text"`, `42`, `null`), for `{"name": {{json first_name}}}`. */
    json: withArgs(([value]) => new EncodedText('json', JSON.stringify(value === undefined ? null : value instanceof EncodedText ? value.text : value))),
    /** `{{xml x}}`: XML-escaped text, for XML inside a text or JSON template. */
    xml: withArgs(([value]) => new EncodedText('xml', escapeXml(valueText(value)))),
    /** `{{default x "fallback"}}`: the value, or the fallback when it is missing or empty. */
    default: withArgs(([value, fallback]) => (blank(value) ? fallback : value)),
    upper: withArgs(([value]) => valueText(value).toUpperCase()),
    lower: withArgs(([value]) => valueText(value).toLowerCase()),
    /**
     * `{{date received_at "MM/DD/YYYY"}}`, `{{date "now" "YYYY-MM-DD HH:mm" "America/Chicago"}}`:
     * a date formatted in a time zone (UTC by default). A value that is not a date is written as is.
     */
    date: withArgs(([value, format, timeZone], options) => {
      if (blank(value)) return '';
      const date = value === 'now' ? { date: clock.now(), dateOnly: false } : toDate(value);
      if (!date) return value;
      const zone = typeof timeZone === 'string' ? timeZone : typeof options.hash?.tz === 'string' ? options.hash.tz : undefined;
      return formatDate(date, typeof format === 'string' ? format : 'YYYY-MM-DD', zone);
    }),
    eq: withArgs(([a, b]) => same(a, b)),
    ne: withArgs(([a, b]) => !same(a, b)),
    and: withArgs((args) => args.every(truthy)),
    or: withArgs((args) => args.some(truthy)),
    not: withArgs(([value]) => !truthy(value)),
  };
}

/** The names of the helpers above, for the compile-time check of what a template calls. */
export const TEMPLATE_HELPER_NAMES: readonly string[] = Object.keys(templateHelpers({ now: () => new Date() }));
export const BUILT_IN_BLOCK_HELPERS = ['if', 'unless', 'each', 'with'] as const;

/** The helper every plain `{{x}}` is rewritten to call, one per body language. */
export const escapeHelperName = (mode: TemplateEscape) => `__leadrelay_escape_${mode}`;

export function escapeHelpers(): Record<string, Helper> {
  const modes: TemplateEscape[] = ['json', 'xml', 'html', 'url', 'text'];
  return Object.fromEntries(modes.map((mode) => [escapeHelperName(mode), withArgs(([value]) => escapeFor(mode, value))]));
}
