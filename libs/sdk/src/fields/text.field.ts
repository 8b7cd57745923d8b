import { FieldType, bad, ok } from './field-type';

/** Free text, trimmed; at most 10 000 characters. */
export const textField: FieldType = {
  name: 'text',
  normalise(raw) {
    const value = String(raw).trim();
    if (value.length > 10_000) return bad('is longer than 10000 characters');
    return ok(value);
  },
};
