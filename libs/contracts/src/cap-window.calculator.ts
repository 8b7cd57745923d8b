import { DateTime, FixedOffsetZone } from 'luxon';
import type { Cap } from '@leadrelay/sdk';
import { ZoneClock } from './zone-clock';

const HOUR = 3_600_000;

/** One calendar window of a cap: `[start, end)`, and a key naming it for the cap ledger. */
export interface CapWindowSpan {
  start: Date;
  end: Date;
  /** Stable across processes and restarts, e.g. `day@America/Chicago:2026-12-02`. */
  key: string;
}

const KEY_FORMAT = { day: 'yyyy-MM-dd', week: "kkkk-'W'WW", month: 'yyyy-MM' } as const;

/** `+05:30`, `-06:00`. */
function offsetText(ms: number): string {
  return FixedOffsetZone.instance(Math.trunc(ms / 60_000)).formatOffset(0, 'short');
}

/**
 * The window of `cap` that `at` falls in. Days, ISO weeks (from Monday) and months are calendar
 * ones in `cap.timeZone` (default UTC), so a day is 23 or 25 hours long across a daylight-saving
 * change. An hour is the local clock hour at one offset: autumn's repeated hour is two windows
 * (their keys differ by the offset), spring's skipped one none. Windows tile time: `end` is the
 * next window's `start`.
 *
 * @example capWindow({ max: 100, per: 'day', timeZone: 'America/Chicago' }, new Date('2026-12-02T15:00:00Z'))
 * // { start: 2026-12-02T06:00:00Z, end: 2026-12-03T06:00:00Z, key: 'day@America/Chicago:2026-12-02' }
 */
export function capWindow(cap: Cap, at: Date): CapWindowSpan {
  const zone = cap.timeZone ?? 'UTC';
  // Windows tile time, so the last one found for this kind of window answers until it ends.
  const kind = `${cap.per}@${zone}`;
  const last = recent.get(kind);
  const t = at.getTime();
  if (last && last.start <= t && t < last.end) return { start: new Date(last.start), end: new Date(last.end), key: last.key };
  const found = computeWindow(cap.per, zone, t);
  recent.set(kind, { start: found.start.getTime(), end: found.end.getTime(), key: found.key });
  return found;
}

const recent = new Map<string, { start: number; end: number; key: string }>();

function computeWindow(per: Cap['per'], zone: string, t: number): CapWindowSpan {
  const clock = ZoneClock.of(zone);
  const wall = clock.wall(t);
  if (per === 'hour') {
    const offset = clock.offset(t);
    const hourStart = wall - (((wall % HOUR) + HOUR) % HOUR);
    // The hour at this offset, cut where the offset changes inside it.
    let start = hourStart - offset;
    let end = start + HOUR;
    if (clock.offset(start) !== offset) start = clock.transition(start, t);
    if (clock.offset(end) !== offset) end = clock.transition(t, end);
    const label = `${DateTime.fromMillis(hourStart, { zone: 'utc' }).toFormat("yyyy-MM-dd'T'HH")}${offsetText(offset)}`;
    return { start: new Date(start), end: new Date(end), key: `hour@${zone}:${label}` };
  }
  const first = DateTime.fromMillis(wall, { zone: 'utc' }).startOf(per);
  const next = first.plus({ [per]: 1 });
  return {
    start: new Date(clock.firstAtOrAfter(first.toMillis())),
    end: new Date(clock.firstAtOrAfter(next.toMillis())),
    key: `${per}@${zone}:${first.toFormat(KEY_FORMAT[per])}`,
  };
}

/** `100/day`, with the zone when it is not UTC: `100/day (America/Chicago)`. */
export function capLabel(cap: Cap): string {
  const zone = cap.timeZone ?? 'UTC';
  return `${cap.max}/${cap.per}${zone === 'UTC' ? '' : ` (${zone})`}`;
}

/** The skip (or hold) reason of a reached cap: `cap 100/day (America/Chicago) reached`. */
export function capReason(cap: Cap): string {
  return `cap ${capLabel(cap)} reached`;
}
