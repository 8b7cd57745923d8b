import { FieldType, bad, ok } from './field-type';

/** US/NANP phone number: `(512) 555-0100`, `512.555.0100`, `+1 512 555 0100` → `5125550100`. */
export const phoneField: FieldType = {
  name: 'phone',
  normalise(raw) {
    const text = String(raw).trim();
    if (!/^[+\d\s().\-]+$/.test(text)) return bad('is not a valid US phone number');
    let digits = text.replace(/\D/g, '');
    if (digits.length === 11 && digits.startsWith('1')) digits = digits.slice(1);
    if (digits.length < 10) return bad('is too short for a US phone number');
    if (digits.length > 10) return bad('is too long for a US phone number');
    // NANP: area code and exchange cannot start with 0 or 1.
    if (/^[01]/.test(digits) || /^[01]/.test(digits.slice(3))) return bad('is not a valid US phone number');
    return ok(digits);
  },
};
