import { FIELD_TYPES } from '@leadrelay/sdk/internal';
import { DomainError } from '../common/domain.error';

/** The person an erasure names, by one value in its normal form (as `lead.data` holds it). */
export interface ErasedPerson {
  /** The campaign field type the value is of (a field type, never a plugin). */
  fieldType: 'email' | 'phone';
  /** Normalised by the field type's own normaliser: `jane@example.com`, `5125550100`. */
  value: string;
}

const KEYS = ['email', 'phone'] as const;

/**
 * Reads `{ "email": "…" }` or `{ "phone": "…" }`: exactly one of them, a string the field type
 * accepts. Anything else is a 422 naming every problem, and nothing is erased.
 */
export function erasedPersonOf(body: Record<string, unknown>): ErasedPerson {
  const errors: { field: string; message: string }[] = [];
  for (const key of Object.keys(body)) {
    if (!(KEYS as readonly string[]).includes(key)) errors.push({ field: key, message: 'is not known: send email or phone' });
  }
  const given = KEYS.filter((k) => body[k] !== undefined);
  if (given.length !== 1) errors.push({ field: 'body', message: 'must name exactly one of email or phone' });
  let person: ErasedPerson | undefined;
  for (const kind of given) {
    const raw = body[kind];
    if (typeof raw !== 'string') {
      errors.push({ field: kind, message: 'must be a string' });
      continue;
    }
    const normalised = FIELD_TYPES[kind].normalise(raw);
    if (normalised.ok) person = { fieldType: kind, value: String(normalised.value) };
    else errors.push({ field: kind, message: normalised.message });
  }
  if (errors.length || !person) throw new DomainError('invalid', 'The erasure request is not valid; nothing was erased.', errors);
  return person;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * How the person's value is found inside other text (a buyer's reason, a captured value): an
 * email in any letter case; a phone in the usual US spellings — `5125550100`, `512-555-0100`,
 * `(512) 555-0100`, `+1 512.555.0100` — never as part of a longer number.
 */
export function personPattern(person: ErasedPerson): RegExp {
  if (person.fieldType === 'email') return new RegExp(escapeRegExp(person.value), 'gi');
  const [area, exchange, line] = [person.value.slice(0, 3), person.value.slice(3, 6), person.value.slice(6)];
  return new RegExp(`(?<!\\d)(?:\\+?1[\\s.-]?)?\\(?${area}\\)?[\\s.-]?${exchange}[\\s.-]?${line}(?!\\d)`, 'g');
}

/** `value` with every match of `pattern` in its strings replaced, objects and arrays walked. */
export function scrubbed(value: unknown, pattern: RegExp): unknown {
  if (typeof value === 'string') return value.replace(pattern, '[erased]');
  if (Array.isArray(value)) return value.map((v) => scrubbed(v, pattern));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubbed(v, pattern)]));
  return value;
}
