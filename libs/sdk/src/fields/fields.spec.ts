import { FIELD_TYPES } from './index';

const normalise = (type: string, raw: string | number | boolean) => FIELD_TYPES[type].normalise(raw);
const good = (type: string, cases: [string | number | boolean, string | number | boolean][]) =>
  it.each(cases)(`${type}: %p → %p`, (raw, expected) => expect(normalise(type, raw)).toEqual({ ok: true, value: expected }));
const bad = (type: string, cases: (string | number | boolean)[]) =>
  it.each(cases)(`${type}: %p is refused`, (raw) => {
    const result = normalise(type, raw);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toEqual(expect.any(String));
  });

describe('field types', () => {
  good('text', [['  Ana  ', 'Ana'], [42, '42'], [true, 'true'], ['Zoë 🌞', 'Zoë 🌞']]);
  bad('text', ['x'.repeat(10_001)]);

  good('email', [[' Ana@Example.COM ', 'ana@example.com'], ['first.last+tag@sub.example.co.uk', 'first.last+tag@sub.example.co.uk']]);
  bad('email', ['ana', 'ana@', '@example.com', 'ana@example', 'a b@example.com', 'ana@exa mple.com', 'ana@@example.com', `${'a'.repeat(65)}@example.com`]);

  good('phone', [
    ['(512) 555-0100', '5125550100'],
    ['512.555.0100', '5125550100'],
    ['+1 512 555 0100', '5125550100'],
    ['1-512-555-0100', '5125550100'],
    [5125550100, '5125550100'],
  ]);
  bad('phone', ['555-0100', '512555010', '51255501000', '+44 20 7946 0958', '(012) 555-0100', '512-155-0100', 'call me', '512-555-O100']);

  good('postal_code', [['78701', '78701'], ['78701-1234', '78701-1234'], ['787011234', '78701-1234'], [' k1a 0b1 ', 'K1A 0B1'], ['K1A0B1', 'K1A 0B1']]);
  bad('postal_code', ['7870', '787012', 'ABCDE', 'D1A 0B1', '78701-12']);

  good('state', [['TX', 'TX'], ['tx', 'TX'], ['Texas', 'TX'], ['  new   york ', 'NY'], ['district of columbia', 'DC']]);
  bad('state', ['XX', 'Tex', 'Texass', '']);

  good('number', [['12', 12], [' -12.5 ', -12.5], [3.25, 3.25], ['+4', 4], ['1e3', 1000], ['.5', 0.5]]);
  bad('number', ['12,000', 'abc', '', 'NaN', 'Infinity', true, '1.2.3']);

  good('boolean', [['true', true], ['YES', true], ['1', true], [1, true], [true, true], ['false', false], ['no', false], ['0', false], [false, false]]);
  bad('boolean', ['maybe', '2', '']);

  good('date', [['2024-03-31', '2024-03-31'], ['03/31/2024', '2024-03-31'], ['3/5/2024', '2024-03-05'], ['2024-03-31T10:00:00Z', '2024-03-31'], ['2024-02-29', '2024-02-29']]);
  bad('date', ['2023-02-29', '13/01/2024', '2024-13-01', '31/03/2024', 'yesterday', '2024/03/31']);
});
