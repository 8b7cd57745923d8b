import { FieldType, bad, ok } from './field-type';

/** A finite number; strings like `" 12.5 "` and `"-3"` are accepted, thousands separators are not. */
export const numberField: FieldType = {
  name: 'number',
  normalise(raw) {
    if (typeof raw === 'boolean') return bad('is not a number');
    const text = String(raw).trim();
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return bad('is not a number');
    const value = Number(text);
    return Number.isFinite(value) ? ok(value) : bad('is not a number');
  },
};
