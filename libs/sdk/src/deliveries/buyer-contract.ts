/**
 * A buyer's contract: which leads it takes, how many, when, how fast. Declared beside any
 * delivery's options in a campaign file and applied by the host to every plugin (see
 * docs/contracts.md). The schema is `buyer-contract.schema.ts`; the evaluators are `@leadrelay/contracts`.
 */

/** A lead value as criteria see it: the normalised value of one field. */
export type LeadValue = string | number | boolean | null;

/** One test of one field. Exactly one operator per condition. */
export type FieldCondition<F extends string = string> = { field: F } & (
  | { equals: LeadValue }
  | { in: LeadValue[] }
  | { notIn: LeadValue[] }
  /** A regular expression's source, e.g. `'^7[5-9]'`; matched against the value as text. */
  | { matches: string }
  | { gt: number | string }
  | { gte: number | string }
  | { lt: number | string }
  | { lte: number | string }
  /** `true`: the field has a value; `false`: it is empty. */
  | { present: boolean }
  /** Whole years since the date in the field (e.g. a date of birth) are at least this. */
  | { ageGte: number }
  /** Whole years since the date in the field are at most this. */
  | { ageLte: number }
);

/** Criteria: conditions combined with `all`, `any` and `not`. */
export type Criteria<F extends string = string> = FieldCondition<F> | { all: Criteria<F>[] } | { any: Criteria<F>[] } | { not: Criteria<F> };

/**
 * A criterion in plain TypeScript: given the lead's normalised values by field name, `true` sends
 * the lead, `false` skips it with reason `criteria`, and a string skips it with that reason.
 */
export type CriteriaFunction = (values: Readonly<Record<string, LeadValue>>) => boolean | string;

export type CapWindow = 'hour' | 'day' | 'week' | 'month';

/** At most `max` leads accepted by the buyer per calendar window, in a time zone. */
export interface Cap {
  /** At least 1. */
  max: number;
  per: CapWindow;
  /** An IANA time zone; windows follow it through daylight-saving changes. @default 'UTC' */
  timeZone?: string;
}

/** Opening times, each `'HH:MM-HH:MM'` (24 h, end after start). */
export type OpeningTimes = string[];

/**
 * Delivery hours in a time zone. `weekdays` is Monday to Friday; a day's own entry (`mon` …
 * `sun`) replaces it for that day. A day with no entry is closed.
 * @example { timeZone: 'America/Chicago', weekdays: ['08:00-18:00'], sat: ['09:00-13:00'] }
 */
export interface DeliveryHours {
  timeZone: string;
  weekdays?: OpeningTimes;
  mon?: OpeningTimes;
  tue?: OpeningTimes;
  wed?: OpeningTimes;
  thu?: OpeningTimes;
  fri?: OpeningTimes;
  sat?: OpeningTimes;
  sun?: OpeningTimes;
}

/** A duration: a number and a unit, `ms`, `s`, `m`, `h` or `d`, e.g. `'500ms'`, `'1s'`, `'30d'`. */
export type Duration = `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`;

export interface Dedupe<F extends string = string> {
  /** Fields whose normalised values together identify a person, e.g. `['email']`. */
  on: F[];
  /** How far back a previous lead counts, e.g. `'30d'`. */
  within: Duration;
  /** `'delivery'`: a lead that went to this delivery; `'campaign'`: any lead of the campaign. @default 'delivery' */
  scope?: 'delivery' | 'campaign';
}

export interface RateLimit {
  /** Sends started in any sliding window of `per`. */
  max: number;
  per: Duration;
}

export interface Breaker {
  /** Consecutive `retry` outcomes that open the breaker. @default 10 */
  failures?: number;
  /** How long it stays open before one trial send. @default '1m' */
  pause?: Duration;
}

/** The host's controls over what reaches a buyer: the same for every delivery plugin. */
export interface BuyerContract<F extends string = string> {
  /**
   * Criteria: the lead goes to this delivery only if they hold; otherwise its dispatch is
   * `skipped` with reason `criteria` (or the function's string).
   * @example when: { all: [{ field: 'state', in: ['TX', 'OK'] }, { field: 'birth_date', ageGte: 18 }] }
   */
  when?: Criteria<F> | CriteriaFunction;
  /**
   * Leads the buyer accepted, per window; never exceeded across instances. Real-time: a send
   * reserves a slot, any other outcome than `delivered` frees it. Batches take at most what is left.
   * @example caps: [{ max: 100, per: 'day', timeZone: 'America/Chicago' }, { max: 10, per: 'hour' }]
   */
  caps?: Cap[];
  /** Real-time, a cap reached: `'skip'` the lead (final) or `'hold'` it for the next window. @default 'skip' */
  onCap?: 'skip' | 'hold';
  /** Real-time only: outside these hours leads are held (or skipped, `outsideHours`). */
  hours?: DeliveryHours;
  /** @default 'hold' */
  outsideHours?: 'hold' | 'skip';
  /**
   * Duplicate suppression, decided at intake: `skipped` (naming the earlier lead) when a lead
   * with the same values went to this delivery (or campaign) within the window.
   * @example dedupe: { on: ['email'], within: '30d' }
   */
  dedupe?: Dedupe<F>;
  /** Real-time only: pacing across all workers; excess waits in order, nothing is dropped. @example rate: { max: 5, per: '1s' } */
  rate?: RateLimit;
  /** Real-time only: at most this many sends in flight to this buyer across all workers. @default 16 */
  concurrency?: number;
  /**
   * Real-time only: after `failures` consecutive `retry` outcomes, stop sending for `pause`, then
   * one trial; success closes it, failure opens it again. `false` turns it off.
   * @default { failures: 10, pause: '1m' }
   */
  breaker?: Breaker | false;
}

export const BUYER_CONTRACT_KEYS = [
  'when',
  'caps',
  'onCap',
  'hours',
  'outsideHours',
  'dedupe',
  'rate',
  'concurrency',
  'breaker',
] as const satisfies readonly (keyof BuyerContract)[];
