import type { Criteria, CriteriaFunction, LeadValue } from '@leadrelay/sdk';
import { compileCriteria, criteriaFields } from './criteria.compiler';

const NOW = new Date('2026-12-02T12:00:00Z');
const check = (when: Criteria | CriteriaFunction, values: Record<string, LeadValue>, now = NOW) => compileCriteria(when)(values, now);
const holds = (when: Criteria, values: Record<string, LeadValue>, now = NOW) => check(when, values, now) === true;

describe('compileCriteria', () => {
  it('sends every lead without criteria', () => {
    expect(compileCriteria(undefined)({}, NOW)).toBe(true);
  });

  it('skips with reason criteria when a declarative criterion fails', () => {
    expect(check({ field: 'state', equals: 'TX' }, { state: 'TX' })).toBe(true);
    expect(check({ field: 'state', equals: 'TX' }, { state: 'OK' })).toBe('criteria');
  });

  describe('equals, in, notIn', () => {
    it('compare case-sensitively, by value', () => {
      expect(holds({ field: 'state', equals: 'TX' }, { state: 'tx' })).toBe(false);
      expect(holds({ field: 'ok', equals: true }, { ok: true })).toBe(true);
      expect(holds({ field: 'ok', equals: false }, { ok: true })).toBe(false);
      expect(holds({ field: 'n', equals: 18 }, { n: 18 })).toBe(true);
      expect(holds({ field: 'n', equals: 18 }, { n: 18.5 })).toBe(false);
    });

    it('compare as text when the types differ', () => {
      expect(holds({ field: 'age', equals: '18' }, { age: 18 })).toBe(true);
      expect(holds({ field: 'age', equals: 18 }, { age: '18' })).toBe(true);
      expect(holds({ field: 'age', equals: '18.0' }, { age: 18 })).toBe(false);
      expect(holds({ field: 'ok', equals: 'true' }, { ok: true })).toBe(true);
    });

    it('in holds when any value equals; notIn when none does', () => {
      expect(holds({ field: 'state', in: ['TX', 'OK'] }, { state: 'OK' })).toBe(true);
      expect(holds({ field: 'state', in: ['TX', 'OK'] }, { state: 'NM' })).toBe(false);
      expect(holds({ field: 'zip', in: [78701, '78702'] }, { zip: '78701' })).toBe(true);
      expect(holds({ field: 'state', notIn: ['TX', 'OK'] }, { state: 'NM' })).toBe(true);
      expect(holds({ field: 'state', notIn: ['TX', 'OK'] }, { state: 'TX' })).toBe(false);
    });
  });

  it('matches tests the value as text, without flags', () => {
    expect(holds({ field: 'zip', matches: '^7[5-9]' }, { zip: '78701' })).toBe(true);
    expect(holds({ field: 'zip', matches: '^7[5-9]' }, { zip: '70112' })).toBe(false);
    expect(holds({ field: 'zip', matches: '^7[5-9]' }, { zip: 78701 })).toBe(true);
    expect(holds({ field: 'name', matches: '^ana$' }, { name: 'Ana' })).toBe(false);
    expect(holds({ field: 'ok', matches: '^true$' }, { ok: true })).toBe(true);
  });

  describe('gt, gte, lt, lte', () => {
    it('compare numerically when both sides are numbers or numeric text', () => {
      expect(holds({ field: 'income', gt: 50_000 }, { income: 60_000 })).toBe(true);
      expect(holds({ field: 'income', gt: 50_000 }, { income: 50_000 })).toBe(false);
      expect(holds({ field: 'income', gte: 50_000 }, { income: 50_000 })).toBe(true);
      expect(holds({ field: 'income', lt: '100' }, { income: '9' })).toBe(true); // 9 < 100, not '9' > '100'
      expect(holds({ field: 'income', lte: 9.5 }, { income: ' 9.5 ' })).toBe(true);
      expect(holds({ field: 'n', gt: -1 }, { n: '-0.5' })).toBe(true);
      expect(holds({ field: 'n', gt: 999 }, { n: '1e3' })).toBe(true);
    });

    it('compare as text otherwise (ISO dates order correctly)', () => {
      expect(holds({ field: 'move', gte: '2026-01-01' }, { move: '2026-03-15' })).toBe(true);
      expect(holds({ field: 'move', lt: '2026-01-01' }, { move: '2026-03-15' })).toBe(false);
      expect(holds({ field: 'name', gt: 'M' }, { name: 'Zoë' })).toBe(true);
      expect(holds({ field: 'name', gt: 'M' }, { name: 'ana' })).toBe(true); // 'a' > 'M' by code unit
      expect(holds({ field: 'zip', gt: 5 }, { zip: 'K1A 0B1' })).toBe(true); // 'K' > '5'
    });
  });

  describe('a missing value', () => {
    const ops: Criteria[] = [
      { field: 'x', equals: 'a' },
      { field: 'x', in: ['a'] },
      { field: 'x', matches: '.*' },
      { field: 'x', gt: 0 },
      { field: 'x', gte: 0 },
      { field: 'x', lt: 0 },
      { field: 'x', lte: 0 },
      { field: 'x', present: true },
      { field: 'x', ageGte: 0 },
      { field: 'x', ageLte: 150 },
    ];
    it.each(ops)('fails %p, whether null or absent', (when) => {
      expect(holds(when, { x: null })).toBe(false);
      expect(holds(when, {})).toBe(false);
    });

    it('passes present: false and notIn', () => {
      expect(holds({ field: 'x', present: false }, { x: null })).toBe(true);
      expect(holds({ field: 'x', present: false }, {})).toBe(true);
      expect(holds({ field: 'x', notIn: ['a'] }, { x: null })).toBe(true);
      expect(holds({ field: 'x', notIn: ['a'] }, {})).toBe(true);
    });
  });

  it('present: an empty text is not a value; 0 and false are', () => {
    expect(holds({ field: 'x', present: true }, { x: '' })).toBe(false);
    expect(holds({ field: 'x', present: false }, { x: '' })).toBe(true);
    expect(holds({ field: 'x', present: true }, { x: 0 })).toBe(true);
    expect(holds({ field: 'x', present: true }, { x: false })).toBe(true);
    expect(holds({ field: 'x', present: false }, { x: 'a' })).toBe(false);
  });

  describe('ageGte, ageLte', () => {
    const adult = { field: 'birth_date', ageGte: 18 } as const;
    it('count whole years to the UTC calendar date of now', () => {
      expect(holds(adult, { birth_date: '2008-12-02' }, new Date('2026-12-02T00:00:00Z'))).toBe(true);
      expect(holds(adult, { birth_date: '2008-12-02' }, new Date('2026-12-01T23:59:59Z'))).toBe(false);
      expect(holds(adult, { birth_date: '2008-12-03' }, new Date('2026-12-02T23:59:59Z'))).toBe(false);
      expect(holds(adult, { birth_date: '1960-01-01' })).toBe(true);
      expect(holds({ field: 'birth_date', ageLte: 17 }, { birth_date: '2008-12-03' })).toBe(true);
      expect(holds({ field: 'birth_date', ageLte: 17 }, { birth_date: '2008-12-02' })).toBe(false);
    });

    it('born on 29 February: a year older on 1 March in common years', () => {
      expect(holds(adult, { birth_date: '2008-02-29' }, new Date('2026-02-28T12:00:00Z'))).toBe(false);
      expect(holds(adult, { birth_date: '2008-02-29' }, new Date('2026-03-01T00:00:00Z'))).toBe(true);
      expect(holds(adult, { birth_date: '2008-02-29' }, new Date('2028-02-29T00:00:00Z'))).toBe(true);
    });

    it('take a full ISO timestamp by its UTC date', () => {
      expect(holds(adult, { birth_date: '2008-12-02T00:00:00Z' }, new Date('2026-12-02T00:00:00Z'))).toBe(true);
      // 23:00 in Chicago on 1 December is 2 December in UTC.
      expect(holds(adult, { birth_date: '2008-12-01T23:00:00-06:00' }, new Date('2026-12-01T12:00:00Z'))).toBe(false);
      expect(holds(adult, { birth_date: '2008-12-01T23:00:00.000-06:00' }, new Date('2026-12-02T00:00:00Z'))).toBe(true);
    });

    it.each(['12/02/2008', '2008-02-30', '2008-13-01', 'yesterday', '2008-12-02Tnoon', ''])('fail on an unparsable date %p', (birth_date) => {
      expect(holds(adult, { birth_date })).toBe(false);
      expect(holds({ field: 'birth_date', ageLte: 150 }, { birth_date })).toBe(false);
    });

    it('fail on a number or a boolean', () => {
      expect(holds(adult, { birth_date: 20081202 })).toBe(false);
      expect(holds(adult, { birth_date: true })).toBe(false);
    });
  });

  it('combines with all, any and not', () => {
    const when: Criteria = {
      all: [{ field: 'state', in: ['TX', 'OK'] }, { any: [{ field: 'owner', equals: true }, { field: 'income', gte: 80_000 }] }, { not: { field: 'zip', matches: '^799' } }],
    };
    expect(holds(when, { state: 'TX', owner: true, income: 0, zip: '78701' })).toBe(true);
    expect(holds(when, { state: 'TX', owner: false, income: 90_000, zip: '78701' })).toBe(true);
    expect(holds(when, { state: 'TX', owner: false, income: 10, zip: '78701' })).toBe(false);
    expect(holds(when, { state: 'TX', owner: true, income: 0, zip: '79901' })).toBe(false);
    expect(holds(when, { state: 'NM', owner: true, income: 0, zip: '78701' })).toBe(false);
    expect(holds({ not: { field: 'x', equals: 'a' } }, { x: null })).toBe(true);
  });

  describe('a function', () => {
    it('true sends, false skips with criteria, a string skips with that reason', () => {
      expect(check(() => true, {})).toBe(true);
      expect(check(() => false, {})).toBe('criteria');
      expect(check((v) => (v.score === 1 ? true : `score ${v.score} too low`), { score: 0 })).toBe('score 0 too low');
      expect(check(() => '', {})).toBe('criteria');
    });

    it('that throws gives criteria error: <message>, never an exception', () => {
      expect(check(() => { throw new Error('no score'); }, {})).toBe('criteria error: no score');
      expect(check(() => { throw 'plain'; }, {})).toBe('criteria error: plain');
      expect(check((v) => (v as unknown as { a: { b: string } }).a.b === 'x', {})).toMatch(/^criteria error: Cannot read properties of undefined/);
    });

    it('cannot change the lead values it is given', () => {
      const values: Record<string, LeadValue> = { state: 'TX' };
      expect(check((v) => { (v as Record<string, LeadValue>).state = 'OK'; return true; }, values)).toMatch(/^criteria error: .*read only/);
      expect(values.state).toBe('TX');
    });

    it('that answers something else is a criteria error that says what it got', () => {
      expect(check((() => undefined) as unknown as CriteriaFunction, {})).toBe('criteria error: the function returned undefined; expected true, false or a reason');
      expect(check((async () => true) as unknown as CriteriaFunction, {})).toMatch(/^criteria error: the function returned a Promise/);
    });
  });

  it('throws at compile time on invalid criteria, naming each problem', () => {
    expect(() => compileCriteria({ field: 'zip', matches: '[7' })).toThrow("invalid criteria: when.matches: '[7' is not a valid regular expression");
    expect(() => compileCriteria({ all: [{ field: 'a', equals: 1, in: [1] } as unknown as Criteria] })).toThrow(/when\.all\.0: the condition on 'a' has 2 operators/);
  });
});

describe('criteriaFields', () => {
  it('lists each field a declarative criterion uses once, in order', () => {
    expect(
      criteriaFields({ all: [{ field: 'state', in: ['TX'] }, { any: [{ field: 'zip', matches: '^7' }, { not: { field: 'state', equals: 'OK' } }] }, { field: 'birth_date', ageGte: 18 }] }),
    ).toEqual(['state', 'zip', 'birth_date']);
    expect(criteriaFields({ field: 'email', present: true })).toEqual(['email']);
  });

  it('is empty for a function or no criteria', () => {
    expect(criteriaFields((v) => v.state === 'TX')).toEqual([]);
    expect(criteriaFields(undefined)).toEqual([]);
  });
});
