import type { Criteria, CriteriaFunction, FieldCondition, LeadValue } from '@leadrelay/sdk';
import { CRITERIA_OPERATORS, criteriaProblems, type CriteriaOperator } from '@leadrelay/sdk/internal';

/** The lead's normalised values by field name, as criteria see them. */
export type LeadValues = Readonly<Record<string, LeadValue>>;

/** `true`: send the lead; a string: skip it, with this reason. */
export type CriteriaCheck = (values: LeadValues, now: Date) => true | string;

type Test = (values: LeadValues, now: Date) => boolean;
type Value = LeadValue | undefined;

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function numeric(v: Value | string): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  return typeof v === 'string' && NUMERIC.test(v.trim()) ? Number(v) : undefined;
}

/** Same type: by value; different types: as text, so the string `'18'` equals the number `18`. */
function same(a: LeadValue, b: LeadValue): boolean {
  return typeof a === typeof b ? a === b : String(a) === String(b);
}

/** Numerically when both sides are numbers (or numeric text), else by text, code unit by code unit. */
function compare(a: LeadValue, b: number | string): number {
  const [x, y] = [numeric(a), numeric(b)];
  if (x !== undefined && y !== undefined) return x - y;
  const [s, u] = [String(a), String(b)];
  return s < u ? -1 : s > u ? 1 : 0;
}

const DATE_PREFIX = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/;

/** Whole years from the date in `v` (`YYYY-MM-DD`, or an ISO timestamp, taken as its UTC date) to `now`'s UTC date. */
function ageInYears(v: LeadValue, now: Date): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = DATE_PREFIX.exec(v);
  if (!m) return undefined;
  const parsed = m[0].length === v.length ? Date.UTC(+m[1], +m[2] - 1, +m[3]) : Date.parse(v);
  if (Number.isNaN(parsed)) return undefined;
  const born = new Date(parsed);
  // Date.UTC rolls 2026-02-31 over to March: such a date is not a date.
  if (m[0].length === v.length && (born.getUTCMonth() !== +m[2] - 1 || born.getUTCDate() !== +m[3])) return undefined;
  const years = now.getUTCFullYear() - born.getUTCFullYear();
  const beforeBirthday =
    now.getUTCMonth() < born.getUTCMonth() || (now.getUTCMonth() === born.getUTCMonth() && now.getUTCDate() < born.getUTCDate());
  return beforeBirthday ? years - 1 : years;
}

function missing(v: Value): v is null | undefined {
  return v === null || v === undefined;
}

/** Each operator on a present value (a missing one is decided before: see `condition`). */
const OPERATORS: { [K in CriteriaOperator]: (operand: never) => (value: LeadValue, now: Date) => boolean } = {
  equals: (operand: LeadValue) => (v) => same(v, operand),
  in: (operand: LeadValue[]) => (v) => operand.some((o) => same(v, o)),
  notIn: (operand: LeadValue[]) => (v) => !operand.some((o) => same(v, o)),
  matches: (operand: string) => {
    const re = new RegExp(operand);
    return (v) => re.test(String(v));
  },
  gt: (operand: number | string) => (v) => compare(v, operand) > 0,
  gte: (operand: number | string) => (v) => compare(v, operand) >= 0,
  lt: (operand: number | string) => (v) => compare(v, operand) < 0,
  lte: (operand: number | string) => (v) => compare(v, operand) <= 0,
  present: (operand: boolean) => (v) => (v !== '') === operand,
  ageGte: (operand: number) => (v, now) => (ageInYears(v, now) ?? -Infinity) >= operand,
  ageLte: (operand: number) => (v, now) => (ageInYears(v, now) ?? Infinity) <= operand,
};

function operatorOf(c: FieldCondition): CriteriaOperator {
  return CRITERIA_OPERATORS.find((k) => Object.hasOwn(c, k))!;
}

function condition(c: FieldCondition): Test {
  const op = operatorOf(c);
  const test = OPERATORS[op]((c as unknown as Record<string, never>)[op]);
  // An empty value fails every operator but the two that ask for its absence.
  const whenMissing = op === 'notIn' || (op === 'present' && (c as { present: boolean }).present === false);
  return (values, now) => {
    const v = values[c.field];
    return missing(v) ? whenMissing : test(v, now);
  };
}

function compile(c: Criteria): Test {
  if ('all' in c) {
    const parts = c.all.map(compile);
    return (values, now) => parts.every((p) => p(values, now));
  }
  if ('any' in c) {
    const parts = c.any.map(compile);
    return (values, now) => parts.some((p) => p(values, now));
  }
  if ('not' in c) {
    const inner = compile(c.not);
    return (values, now) => !inner(values, now);
  }
  return condition(c);
}

function fromFunction(fn: CriteriaFunction): CriteriaCheck {
  return (values) => {
    let result: unknown;
    try {
      // A copy the function cannot change: the values are the lead's own, shared with other deliveries.
      result = fn(Object.freeze({ ...values }));
    } catch (err) {
      return `criteria error: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (result === true) return true;
    if (result === false || result === '') return 'criteria';
    if (typeof result === 'string') return result;
    if (result instanceof Promise) {
      result.catch(() => undefined);
      return 'criteria error: the function returned a Promise; criteria must answer at once (true, false or a reason)';
    }
    return `criteria error: the function returned ${String(result)}; expected true, false or a reason`;
  };
}

/**
 * Compiles a delivery's `when` into a check of a lead's normalised values: `true` sends it, a
 * string is the skip reason — `'criteria'` for a failed declarative criterion or a function's
 * `false`, the function's own string, or `'criteria error: <message>'` when it throws (the check
 * itself never throws). Semantics in docs/contracts.md › Criteria. No `when`: every lead goes.
 * Throws when `when` is not valid criteria (the campaign schema reports the same problems).
 *
 * @example compileCriteria({ field: 'state', in: ['TX', 'OK'] })({ state: 'TX' }, new Date()) // true
 */
export function compileCriteria(when: Criteria | CriteriaFunction | undefined): CriteriaCheck {
  if (when === undefined) return () => true;
  const problems = criteriaProblems(when);
  if (problems.length) throw new Error(`invalid criteria: ${problems.map((p) => `${['when', ...p.path].join('.')}: ${p.message}`).join('; ')}`);
  if (typeof when === 'function') return fromFunction(when);
  const test = compile(when);
  return (values, now) => (test(values, now) ? true : 'criteria');
}

/** Where each field condition of a criterion sits, relative to `when`. */
export function* fieldConditions(when: Criteria | CriteriaFunction | undefined, path: (string | number)[] = []): Generator<{ condition: FieldCondition; path: (string | number)[] }> {
  if (when === undefined || typeof when === 'function') return;
  if ('all' in when) for (const [i, c] of when.all.entries()) yield* fieldConditions(c, [...path, 'all', i]);
  else if ('any' in when) for (const [i, c] of when.any.entries()) yield* fieldConditions(c, [...path, 'any', i]);
  else if ('not' in when) yield* fieldConditions(when.not, [...path, 'not']);
  else yield { condition: when, path };
}

/** The field names a declarative criterion uses, each once, in order of appearance; `[]` for a function. */
export function criteriaFields(when: Criteria | CriteriaFunction | undefined): string[] {
  return [...new Set(Array.from(fieldConditions(when), (c) => c.condition.field))];
}
