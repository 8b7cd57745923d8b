import { IANAZone } from 'luxon';
import { z } from 'zod';
import type { OptionProblem } from '../plugin-contract';
import { closestName } from '../nearest-name';
import type { Breaker, Cap, CapWindow, Criteria, CriteriaFunction, Dedupe, DeliveryHours, Duration, FieldCondition, RateLimit } from './buyer-contract';

/*
 * The buyer contract's grammar, once: the schema below checks campaign files with it, and
 * `@leadrelay/contracts` compiles the same rules (durations, opening times, operators), so what the
 * check accepts is exactly what the host runs. Messages name the value so a file can be fixed from
 * the message alone (docs/contracts.md).
 */

type Path = (string | number)[];
/** Reports one problem, at a path relative to the value being checked. */
type Issue = (message: string, path?: Path) => void;

// ── messages ────────────────────────────────────────────────────────────────────────────────

/** A value as a message quotes it: strings in quotes, long values cut. */
function show(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' || value instanceof RegExp) return String(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** `must be <what>, not <value>`, or `is required: <what>` when there is no value. */
function expected(what: string, value: unknown): string {
  return value === undefined ? `is required: ${what}` : `must be ${what}, not ${show(value)}`;
}

function quoted(names: readonly string[]): string {
  return names.map((n) => `'${n}'`).join(', ');
}

function didYouMean(value: unknown, candidates: readonly string[]): string {
  const near = typeof value === 'string' ? closestName(value, candidates) : undefined;
  return near ? `; did you mean '${near}'?` : '';
}

// ── zod glue: every leaf is a check that writes its own message ───────────────────────────────

function rule<T>(check: (value: unknown, issue: Issue) => void): z.ZodType<T> {
  return z.custom<T>().superRefine((value, ctx) => check(value, (message, path = []) => ctx.addIssue({ code: 'custom', message, path })));
}

/** A check of a single value: its problem (text), or undefined when it is fine. */
function scalar(problem: (value: unknown) => string | undefined): (value: unknown, issue: Issue) => void {
  return (value, issue) => {
    const message = problem(value);
    if (message) issue(message);
  };
}

function valueRule<T>(problem: (value: unknown) => string | undefined): z.ZodType<T> {
  return rule<T>(scalar(problem));
}

/** A value checked by one of the problem lists below (also run by `@leadrelay/contracts` before compiling). */
function problemsRule<T>(problems: (value: unknown) => OptionProblem[]): z.ZodType<T> {
  return rule<T>((value, issue) => {
    for (const p of problems(value)) issue(p.message, p.path);
  });
}

/** A strict object whose unknown keys and wrong type are reported in words, with an example. */
function settingsObject<S extends z.ZodRawShape>(shape: S, example: string) {
  const keys = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys
          .map((k) => `unknown setting '${k}' (settings: ${keys.join(', ')})${didYouMean(k, keys)}`)
          .join('; ');
      }
      if (issue.code === 'invalid_type') return expected(`an object such as ${example}`, issue.input);
      return undefined;
    },
  });
}

/** Checks `value` against `schema`, reporting its issues at their own paths (for `false | {…}`). */
function forward(schema: z.ZodType, value: unknown, issue: Issue): void {
  const parsed = schema.safeParse(value);
  if (!parsed.success) for (const i of parsed.error.issues) issue(i.message, i.path as Path);
}

function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): (value: unknown) => string | undefined {
  const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
  return (value) => (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? undefined : expected(`a whole number ${range}`, value));
}

function oneOf<T extends string>(values: readonly T[]): z.ZodType<T> {
  return valueRule<T>((value) =>
    typeof value === 'string' && (values as readonly string[]).includes(value) ? undefined : `${expected(`one of ${quoted(values)}`, value)}${didYouMean(value, values)}`,
  );
}

// ── durations ────────────────────────────────────────────────────────────────────────────────

const DURATION = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_EXAMPLES = "a whole number and a unit (ms, s, m, h, d) such as '500ms', '1s', '1m', '2h' or '30d'";

/** `'1m'` → 60000: a whole number and a unit `ms`, `s`, `m`, `h` or `d`; undefined when it does not parse or is 0. */
export function durationMs(text: unknown): number | undefined {
  const m = typeof text === 'string' ? DURATION.exec(text) : null;
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2]];
  return ms > 0 && Number.isSafeInteger(ms) ? ms : undefined;
}

/** Why a value is not a duration, or undefined when it is one. */
export function durationProblem(value: unknown): string | undefined {
  if (durationMs(value) !== undefined) return undefined;
  if (typeof value === 'string' && DURATION.test(value) && /^0+\D/.test(value)) return `must be longer than 0, not ${show(value)}`;
  return expected(DURATION_EXAMPLES, value);
}

/** A duration as campaign files write it (`'30d'`), checked with `durationProblem`'s message. */
export const duration = valueRule<Duration>(durationProblem);

// ── time zones ───────────────────────────────────────────────────────────────────────────────

let zoneNames: string[] | undefined;

/** Why a value is not an IANA time zone (with the nearest name, when one is near), or undefined. */
export function timeZoneProblem(value: unknown): string | undefined {
  if (typeof value === 'string' && IANAZone.isValidZone(value)) return undefined;
  if (typeof value !== 'string') return expected("an IANA time zone such as 'America/Chicago'", value);
  zoneNames ??= ['UTC', ...Intl.supportedValuesOf('timeZone')];
  return `unknown time zone ${show(value)}${didYouMean(value, zoneNames)}`;
}

const timeZone = valueRule<string>(timeZoneProblem);

// ── criteria ─────────────────────────────────────────────────────────────────────────────────

/** The operators of a field condition (`equals`, `in` …). */
export type CriteriaOperator = FieldCondition extends infer C ? (C extends unknown ? Exclude<keyof C, 'field'> : never) : never;

function listCheck(value: unknown, issue: Issue): void {
  if (!Array.isArray(value) || value.length === 0) {
    issue(expected("a list of at least one value, e.g. ['TX', 'OK']", value));
    return;
  }
  value.forEach((v, i) => {
    const problem = comparedValueProblem(v);
    if (problem) issue(problem, [i]);
  });
}

function comparedValueProblem(value: unknown): string | undefined {
  if (value === null) return 'null never matches: an empty value fails every operator; test it with { present: false }';
  if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return undefined;
  return expected('a string, number or boolean', value);
}

function boundCheck(value: unknown, issue: Issue): void {
  if ((typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value !== '')) return;
  issue(expected("a number, or a text such as '2026-01-01'", value));
}

/** What each operator's operand must be: keyed by every operator, so a new one cannot be forgotten. */
const OPERANDS: { [K in CriteriaOperator]: (value: unknown, issue: Issue) => void } = {
  equals: scalar(comparedValueProblem),
  in: listCheck,
  notIn: listCheck,
  matches: scalar((value) => {
    if (value instanceof RegExp) return `must be the regular expression's source as text, e.g. '${value.source}' (without flags), not ${value}`;
    if (typeof value !== 'string') return expected("a regular expression's source such as '^7[5-9]'", value);
    try {
      new RegExp(value);
      return undefined;
    } catch (err) {
      return `${show(value)} is not a valid regular expression (${String((err as Error).message).replace(/^.*: /, '')})`;
    }
  }),
  gt: boundCheck,
  gte: boundCheck,
  lt: boundCheck,
  lte: boundCheck,
  present: scalar((value) => (typeof value === 'boolean' ? undefined : expected('true (has a value) or false (is empty)', value))),
  ageGte: scalar(wholeNumber(0, 150)),
  ageLte: scalar(wholeNumber(0, 150)),
};

/** Every field-condition operator, in the order messages list them. */
export const CRITERIA_OPERATORS = Object.keys(OPERANDS) as CriteriaOperator[];

const COMBINATORS = ['all', 'any', 'not'] as const;
const CRITERION_EXAMPLE = "{ field: 'state', in: ['TX'] }, { all: [...] }, { any: [...] }, { not: ... }";

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof RegExp);
}

function checkCriterion(value: unknown, issue: Issue, path: Path): void {
  if (typeof value === 'function') {
    if (path.length) issue('a function can only be the whole criterion (when: (lead) => …), not part of all, any or not', path);
    return;
  }
  if (!isPlainObject(value)) {
    issue(expected(`a criterion such as ${CRITERION_EXAMPLE}, or a function`, value), path);
    return;
  }
  const keys = Object.keys(value);
  const combinator = COMBINATORS.find((k) => Object.hasOwn(value, k));
  if (combinator) {
    if (keys.length > 1) {
      issue(`mixes ${quoted(keys)}: a criterion is one of all, any, not or a field condition; nest them instead, e.g. { all: [{ field: 'state', equals: 'TX' }, { not: ... }] }`, path);
    } else if (combinator === 'not') {
      checkCriterion(value.not, issue, [...path, 'not']);
    } else {
      const list = value[combinator];
      if (!Array.isArray(list) || list.length === 0) issue(expected('a list of at least one criterion', list), [...path, combinator]);
      else list.forEach((c, i) => checkCriterion(c, issue, [...path, combinator, i]));
    }
    return;
  }
  const field = value.field;
  if (typeof field !== 'string' || field === '') issue(expected("the name of a campaign field, e.g. { field: 'state', equals: 'TX' }", field), [...path, 'field']);
  const named = typeof field === 'string' && field !== '' ? `the condition on '${field}'` : 'the condition';
  const operators = keys.filter((k) => k !== 'field');
  const known = operators.filter((k): k is CriteriaOperator => Object.hasOwn(OPERANDS, k));
  for (const k of operators.filter((o) => !Object.hasOwn(OPERANDS, o))) {
    issue(`unknown operator '${k}' (operators: ${CRITERIA_OPERATORS.join(', ')})${didYouMean(k, CRITERIA_OPERATORS)}`, [...path, k]);
  }
  if (operators.length === 0) issue(`${named} has no operator: give exactly one of ${CRITERIA_OPERATORS.join(', ')}`, path);
  if (known.length > 1) issue(`${named} has ${known.length} operators (${known.join(', ')}): give exactly one, and combine conditions with all`, path);
  for (const k of known) OPERANDS[k](value[k], (message, p = []) => issue(message, [...path, k, ...p]));
}

/** Every problem of a `when` value (criteria or a function), at paths relative to it. */
export function criteriaProblems(when: unknown): OptionProblem[] {
  const problems: OptionProblem[] = [];
  checkCriterion(when, (message, path = []) => problems.push({ path, message }), []);
  return problems;
}

// ── delivery hours ───────────────────────────────────────────────────────────────────────────

/** The days of `hours`, Monday first (ISO weekday 1 … 7). */
export const HOURS_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const HOURS_KEYS = ['timeZone', 'weekdays', ...HOURS_DAYS];
const TIME_RANGE = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

/** An opening time in minutes since local midnight: `[start, end)`, end at most 1440 (24:00). */
export interface OpeningRange {
  start: number;
  end: number;
}

/** `'08:00-18:00'` → `{ start: 480, end: 1080 }`; a problem (text) when it is not a valid range. */
function openingRange(text: unknown): OpeningRange | string {
  const m = typeof text === 'string' ? TIME_RANGE.exec(text) : null;
  if (!m) return expected("a time range 'HH:MM-HH:MM' (24-hour) such as '08:00-18:00'", text);
  const [sh, sm, eh, em] = m.slice(1).map(Number);
  if (sh > 23 || sm > 59 || eh > 24 || em > 59 || (eh === 24 && em > 0)) return `${show(text)} is not a time of day: hours run 00–23 (24:00 only as an end), minutes 00–59`;
  const range = { start: sh * 60 + sm, end: eh * 60 + em };
  if (range.end <= range.start) {
    return `${show(text)} ends before it starts; a range cannot cross midnight: split it, e.g. mon: ['22:00-24:00'], tue: ['00:00-06:00']`;
  }
  return range;
}

function checkOpeningTimes(list: unknown, issue: Issue): void {
  if (!Array.isArray(list)) {
    issue(expected("a list of opening times such as ['08:00-18:00'] (an empty list: closed)", list));
    return;
  }
  const ranges: { range: OpeningRange; text: string; index: number }[] = [];
  list.forEach((text, index) => {
    const range = openingRange(text);
    if (typeof range === 'string') issue(range, [index]);
    else ranges.push({ range, text, index });
  });
  ranges.sort((a, b) => a.range.start - b.range.start);
  for (let i = 1; i < ranges.length; i++) {
    const [before, after] = [ranges[i - 1], ranges[i]];
    if (after.range.start < before.range.end) issue(`'${after.text}' overlaps '${before.text}'`, [Math.max(before.index, after.index)]);
  }
}

/**
 * Each day's opening times, Monday first, sorted: a day's own entry replaces `weekdays`, a day
 * with neither is closed. `hours` must be valid (see `hoursProblems`).
 */
export function openingWeek(hours: DeliveryHours): OpeningRange[][] {
  return HOURS_DAYS.map((day, i) => {
    const times = hours[day] ?? (i < 5 ? hours.weekdays : undefined) ?? [];
    return times
      .map(openingRange)
      .filter((r): r is OpeningRange => typeof r !== 'string')
      .sort((a, b) => a.start - b.start);
  });
}

/** Every problem of an `hours` value, at paths relative to it; none means `openingWeek` may run. */
export function hoursProblems(hours: unknown): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const issue: Issue = (message, path = []) => problems.push({ path, message });
  if (!isPlainObject(hours)) {
    issue(expected("delivery hours such as { timeZone: 'America/Chicago', weekdays: ['08:00-18:00'] }", hours));
    return problems;
  }
  const zone = timeZoneProblem(hours.timeZone);
  if (zone) issue(zone, ['timeZone']);
  for (const key of Object.keys(hours)) {
    if (!HOURS_KEYS.includes(key)) issue(`unknown day '${key}' (days: weekdays, ${HOURS_DAYS.join(', ')})${didYouMean(key, HOURS_KEYS)}`, [key]);
    else if (key !== 'timeZone' && hours[key] !== undefined) checkOpeningTimes(hours[key], (message, path = []) => issue(message, [key, ...path]));
  }
  if (problems.length === 0 && openingWeek(hours as unknown as DeliveryHours).every((day) => day.length === 0)) {
    issue('opens on no day, so no lead would ever be sent: give weekdays or a day (mon … sun) at least one opening time');
  }
  return problems;
}

// ── the schema ───────────────────────────────────────────────────────────────────────────────

const CAP_WINDOWS = ['hour', 'day', 'week', 'month'] as const satisfies readonly CapWindow[];

const capSchema = settingsObject(
  {
    max: valueRule<number>((value) =>
      value === 0 ? 'a cap of 0 would send nothing: max must be at least 1 (to stop a delivery, pause it or remove it)' : wholeNumber(1)(value),
    ),
    per: oneOf(CAP_WINDOWS),
    timeZone: timeZone.optional(),
  },
  "{ max: 100, per: 'day', timeZone: 'America/Chicago' }",
) satisfies z.ZodType<Cap>;

const dedupeSchema = settingsObject(
  {
    on: rule<string[]>((value, issue) => {
      if (!Array.isArray(value) || value.length === 0) {
        issue(expected("a list of at least one field name, e.g. ['email']", value));
        return;
      }
      value.forEach((name, i) => {
        if (typeof name !== 'string' || name === '') issue(expected('a field name', name), [i]);
        else if (value.indexOf(name) < i) issue(`lists '${name}' twice`, [i]);
      });
    }),
    within: duration,
    scope: oneOf(['delivery', 'campaign'] as const).optional(),
  },
  "{ on: ['email'], within: '30d' }",
) satisfies z.ZodType<Dedupe>;

const rateSchema = settingsObject({ max: valueRule<number>(wholeNumber(1)), per: duration }, "{ max: 5, per: '1s' }") satisfies z.ZodType<RateLimit>;

const breakerSchema = settingsObject(
  { failures: valueRule<number>(wholeNumber(1)).optional(), pause: duration.optional() },
  "{ failures: 10, pause: '1m' }",
) satisfies z.ZodType<Breaker>;

/**
 * The buyer contract's settings, to spread into the delivery settings' strict schema. Each
 * message names the bad value; `contractProblems` (`@leadrelay/contracts`) adds what needs the
 * campaign's fields and the delivery's mode.
 */
export const buyerContractShape = {
  when: problemsRule<Criteria | CriteriaFunction>(criteriaProblems).optional(),
  caps: z.array(capSchema, { error: (issue) => expected("a list of caps such as [{ max: 100, per: 'day' }]", issue.input) }).optional(),
  onCap: oneOf(['skip', 'hold'] as const).optional(),
  hours: problemsRule<DeliveryHours>(hoursProblems).optional(),
  outsideHours: oneOf(['hold', 'skip'] as const).optional(),
  dedupe: dedupeSchema.optional(),
  rate: rateSchema.optional(),
  concurrency: valueRule<number>(wholeNumber(1, 1000)).optional(),
  breaker: rule<Breaker | false>((value, issue) => {
    if (value === false) return;
    if (!isPlainObject(value)) issue(expected("false (off) or { failures: 10, pause: '1m' }", value));
    else forward(breakerSchema, value, issue);
  }).optional(),
};
