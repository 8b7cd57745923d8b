import { FieldType, bad, ok } from './field-type';

const TRUE = new Set(['true', 'yes', '1', 'y', 'on']);
const FALSE = new Set(['false', 'no', '0', 'n', 'off']);

/** Yes/no: `true/false/yes/no/1/0` (any case) → `true` / `false`. */
export const booleanField: FieldType = {
  name: 'boolean',
  normalise(raw) {
    if (typeof raw === 'boolean') return ok(raw);
    const text = String(raw).trim().toLowerCase();
    if (TRUE.has(text)) return ok(true);
    if (FALSE.has(text)) return ok(false);
    return bad('is not a yes/no value');
  },
};
