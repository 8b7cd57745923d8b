import type { DeliveryHours } from '@leadrelay/sdk';
import { hoursProblems, openingWeek } from '@leadrelay/sdk/internal';
import { DAY, ZoneClock, wallParts } from './zone-clock';

const MINUTE = 60_000;

/** Delivery hours, compiled: whether a delivery is open at an instant, and when it opens next. */
export interface OpeningHours {
  isOpen(at: Date): boolean;
  /** `at` itself when open; else the first open instant after it. */
  nextOpening(at: Date): Date;
}

/**
 * Compiles `hours` against its zone's wall clock: open while the local time of day lies in one of
 * that weekday's ranges (`[start, end)`). Openings are wall-clock times through daylight-saving
 * changes: 08:00 opens at 08:00 local on both sides; an opening spring skips opens when the clock
 * jumps (the first instant after the gap), and in autumn's repeated hour the local clock decides,
 * so such a range is open on both passes. Throws on invalid hours, including a week that never opens.
 *
 * @example compileHours({ timeZone: 'America/Chicago', weekdays: ['08:00-18:00'] }).nextOpening(new Date('2026-12-05T12:00:00Z'))
 * // 2026-12-07T14:00:00Z: Monday, 08:00 in Chicago
 */
export function compileHours(hours: DeliveryHours): OpeningHours {
  const problems = hoursProblems(hours);
  if (problems.length) throw new Error(`invalid hours: ${problems.map((p) => `${['hours', ...p.path].join('.')}: ${p.message}`).join('; ')}`);
  const week = openingWeek(hours);
  const clock = ZoneClock.of(hours.timeZone);
  const open = (t: number): boolean => {
    const { weekday, msOfDay } = wallParts(clock.wall(t));
    return week[weekday].some((r) => r.start * MINUTE <= msOfDay && msOfDay < r.end * MINUTE);
  };
  return {
    isOpen: (at) => open(at.getTime()),
    nextOpening(at) {
      const t = at.getTime();
      if (open(t)) return at;
      // An open stretch begins where the clock reaches a range's start, or where it jumps into a
      // range (a daylight-saving change): the earliest of those after `at` is the answer.
      let best = Infinity;
      let foundOn: number | undefined;
      const today = wallParts(clock.wall(t)).days;
      // Starts from the first day that has one after `at`, and from the day after (a change that
      // sets the clock back across midnight would put that day's first).
      for (let d = 0; d <= 15 && (foundOn === undefined || d <= foundOn + 1); d++) {
        const { weekday } = wallParts((today + d) * DAY);
        for (const range of week[weekday]) {
          for (const instant of clock.instantsAt((today + d) * DAY + range.start * MINUTE)) {
            if (instant > t && instant < best) {
              best = instant;
              foundOn ??= d;
            }
          }
        }
      }
      for (const jump of clock.transitions(t, Number.isFinite(best) ? best : t + 15 * DAY)) {
        if (jump < best && open(jump)) {
          best = jump;
          break;
        }
      }
      if (!Number.isFinite(best)) throw new Error(`hours in ${hours.timeZone} do not open in the 15 days after ${at.toISOString()}`);
      return new Date(best);
    },
  };
}
