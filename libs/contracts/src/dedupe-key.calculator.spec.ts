import type { LeadValue } from '@leadrelay/sdk';
import { dedupeKey } from './dedupe-key.calculator';

describe('dedupeKey', () => {
  const scope = 'delivery:solar-tx/acme';

  it('is a sha256 in hex', () => {
    expect(dedupeKey(scope, ['email'], { email: 'ana@example.com' })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('compares text without case, surrounding spaces or Unicode form', () => {
    const key = dedupeKey(scope, ['email'], { email: 'ana@example.com' });
    expect(dedupeKey(scope, ['email'], { email: '  Ana@Example.COM ' })).toBe(key);
    expect(dedupeKey(scope, ['name'], { name: 'Jose\u0301' })).toBe(dedupeKey(scope, ['name'], { name: 'JOS\u00c9' }));
    expect(dedupeKey(scope, ['email'], { email: 'ana2@example.com' })).not.toBe(key);
  });

  it('differs by scope and by field', () => {
    const values = { email: 'ana@example.com', alt_email: 'ana@example.com' };
    expect(dedupeKey('campaign:solar-tx', ['email'], values)).not.toBe(dedupeKey(scope, ['email'], values));
    expect(dedupeKey(scope, ['alt_email'], values)).not.toBe(dedupeKey(scope, ['email'], values));
  });

  it('combines several fields, whatever their order in on', () => {
    const values = { phone: '5125550100', zip: '78701', email: 'x@example.com' };
    const key = dedupeKey(scope, ['phone', 'zip'], values);
    expect(dedupeKey(scope, ['zip', 'phone'], values)).toBe(key);
    expect(dedupeKey(scope, ['phone', 'zip'], { ...values, zip: '78702' })).not.toBe(key);
    expect(dedupeKey(scope, ['phone'], values)).not.toBe(key);
  });

  it('does not run two fields together (no "ab"+"c" = "a"+"bc")', () => {
    expect(dedupeKey(scope, ['a', 'b'], { a: 'ab', b: 'c' })).not.toBe(dedupeKey(scope, ['a', 'b'], { a: 'a', b: 'bc' }));
  });

  it('keys numbers and booleans by value', () => {
    expect(dedupeKey(scope, ['n'], { n: 5 })).toBe(dedupeKey(scope, ['n'], { n: 5 }));
    expect(dedupeKey(scope, ['n'], { n: 5 })).not.toBe(dedupeKey(scope, ['n'], { n: 6 }));
    expect(dedupeKey(scope, ['b'], { b: false })).toMatch(/^[0-9a-f]{64}$/);
    expect(dedupeKey(scope, ['n'], { n: 0 })).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each<Record<string, LeadValue>>([{ email: null }, {}, { email: '' }, { email: '   ' }])('is null when an on field is empty (%p): such a lead is never suppressed', (values) => {
    expect(dedupeKey(scope, ['email'], values)).toBeNull();
    expect(dedupeKey(scope, ['phone', 'email'], { phone: '5125550100', ...values })).toBeNull();
  });
});
