/**
 * LeadConduit mapping values are templates over the lead (`{{lead.email}}`, `{{lead.first_name}}
 * {{lead.last_name}}`) or constants. Here they become parts: literal text and leadrelay template
 * variables (campaign field names, `lead_id`, `received_at`), so each body writer can escape the
 * text for its language and write the variables its own way (docs/campaigns.md › import leadconduit).
 */
export type ValuePart = { text: string } | { variable: string };

/** A setting's value: its parts, or why it cannot be carried over. */
export type ParsedValue = { parts: ValuePart[]; constant?: string | number | boolean } | { unsupported: string };

const MUSTACHE = /\{\{\{?\s*([^{}]*?)\s*\}?\}\}/g;
const FIELD_NAME = /^[a-z][a-z0-9_]*$/;
/** LeadConduit's own variables that have a leadrelay counterpart. */
const LEAD_VARIABLES: Record<string, string> = { 'lead.id': 'lead_id', 'submission.timestamp': 'received_at' };
/** The lead's own template variables; every other variable is a campaign field. */
export const LEAD_OWN_VARIABLES = new Set(['lead_id', 'received_at']);

/** Which leadrelay variable a LeadConduit path names, if any (`lead.email` → `email`). */
function variableFor(path: string): string | undefined {
  if (LEAD_VARIABLES[path]) return LEAD_VARIABLES[path];
  const name = /^lead\.(.+)$/.exec(path)?.[1];
  return name && FIELD_NAME.test(name) && !LEAD_OWN_VARIABLES.has(name) ? name : undefined;
}

export function parseValue(value: string | number | boolean): ParsedValue {
  if (typeof value !== 'string') return { parts: [{ text: String(value) }], constant: value };
  const parts: ValuePart[] = [];
  let at = 0;
  for (const match of value.matchAll(MUSTACHE)) {
    const variable = variableFor(match[1]);
    if (!variable) return { unsupported: `{{${match[1]}}} has no leadrelay counterpart (only {{lead.<field>}}, {{lead.id}} and {{submission.timestamp}} do)` };
    const before = value.slice(at, match.index);
    // Handlebars reads a backslash right before {{ as an escape, which would change the text.
    if (before.endsWith('\\')) return { unsupported: 'a backslash right before {{…}} cannot be written in a leadrelay template' };
    if (before) parts.push({ text: before });
    parts.push({ variable });
    at = match.index + match[0].length;
  }
  const rest = value.slice(at);
  if (rest.includes('{{')) return { unsupported: `'${rest}' is not a template leadrelay can read` };
  if (rest) parts.push({ text: rest });
  return parts.some((p) => 'variable' in p) ? { parts } : { parts, constant: value };
}

/** The one variable a value is made of, when it is nothing else (`{{lead.email}}`). */
export function soleVariable(parts: ValuePart[]): string | undefined {
  return parts.length === 1 && 'variable' in parts[0] ? parts[0].variable : undefined;
}

const SECRET_NAME = /pass(word|wd)?|secret|token|auth|api[-_.]?key|signature|credential|cookie|session|(^|[-_.])key($|[-_.])/i;
/** A long run of letters and digits with both in it: what keys and tokens look like. */
const SECRET_VALUE = /^(?=.*[A-Za-z])(?=.*\d)[A-Za-z0-9_\-+/=.~]{20,}$/;

/** A constant that should live in `env()`, not in git: by its name or by its look. */
export function looksSecret(name: string, value: string | number | boolean): boolean {
  return SECRET_NAME.test(name) || SECRET_VALUE.test(String(value));
}
