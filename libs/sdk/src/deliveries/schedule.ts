import { z } from 'zod';
import { timeZoneProblem } from './buyer-contract.schema';

/** When scheduled email batches go out. */
export type ScheduleSpec =
  | { kind: 'realtime' }
  | { kind: 'every'; interval: string }
  | { kind: 'at'; times: string[]; timeZone: string }
  | { kind: 'cron'; expression: string; timeZone: string };

/** One email per lead, as soon as it is accepted. */
export const realtime: ScheduleSpec = { kind: 'realtime' };

/**
 * Batches at a fixed interval: `'15m'`, `'1h'`, `'1d'` (also `s`, and counts such as `'90m'`).
 * @example schedule: every('15m')
 */
export function every(interval: string): ScheduleSpec {
  return { kind: 'every', interval };
}

/**
 * Batches at set times of day in a time zone (DST-correct).
 * @example schedule: at(['08:00', '15:00'], 'America/Chicago')
 */
export function at(times: string[], timeZone = 'UTC'): ScheduleSpec {
  return { kind: 'at', times, timeZone };
}

/**
 * Batches on a cron expression (5 fields, or 6 with seconds) in a time zone.
 * @example schedule: cron('0 9 * * 1-5', 'America/New_York')
 */
export function cron(expression: string, timeZone = 'UTC'): ScheduleSpec {
  return { kind: 'cron', expression, timeZone };
}

const INTERVAL = /^(\d+)(s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `'15m'` → 900000; undefined when it does not parse. */
export function intervalMs(interval: string): number | undefined {
  const m = INTERVAL.exec(interval.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2]];
  return ms >= 1_000 ? ms : undefined;
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** An IANA zone; the message echoes the value and names the nearest zone. */
const zoneSchema = z.string().superRefine((zone, ctx) => {
  const problem = timeZoneProblem(zone);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const scheduleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('realtime') }),
  z.object({
    kind: z.literal('every'),
    interval: z.string().refine((v) => intervalMs(v) !== undefined, { message: "interval must look like '15m', '1h' or '1d'" }),
  }),
  z.object({
    kind: z.literal('at'),
    times: z.array(z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time must be HH:MM (24-hour)')).min(1),
    timeZone: zoneSchema,
  }),
  z.object({
    kind: z.literal('cron'),
    expression: z.string().min(1),
    timeZone: zoneSchema,
  }),
]);
