import { FieldType, bad, ok } from './field-type';

// Deliberately practical rather than RFC 5322 complete: one @, a dotted domain, no spaces.
const EMAIL = /^[^\s@"(),:;<>[\\\]]+@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** E-mail address: trimmed, lower-cased, syntax checked. */
export const emailField: FieldType = {
  name: 'email',
  normalise(raw) {
    const value = String(raw).trim().toLowerCase();
    if (value.length > 254 || !EMAIL.test(value) || value.split('@')[0].length > 64) return bad('is not a valid email address');
    return ok(value);
  },
};
