import fc from 'fast-check';
import { IANAZone } from 'luxon';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const YEAR = { min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 0, 1) };
const found = new Map<string, number[]>();

/** A zone's offset changes in 2026, found by a plain scan (not by the code under test). */
export function transitionsIn(timeZone: string): number[] {
  let list = found.get(timeZone);
  if (!list) {
    const zone = IANAZone.create(timeZone);
    list = [];
    for (let t = YEAR.min; t < YEAR.max; t += HOUR) {
      if (zone.offset(t) === zone.offset(t + HOUR)) continue;
      let m = t + MINUTE;
      while (zone.offset(m) === zone.offset(t)) m += MINUTE;
      list.push(m);
    }
    found.set(timeZone, list);
  }
  return list;
}

/** Instants of 2026 for a zone: anywhere in the year, or (as often) within 3 h of one of its offset changes. */
export function instantsIn(timeZone: string): fc.Arbitrary<Date> {
  const anywhere = fc.integer(YEAR).map((t) => new Date(t));
  const changes = transitionsIn(timeZone);
  if (changes.length === 0) return anywhere;
  const nearChange = fc.tuple(fc.constantFrom(...changes), fc.integer({ min: -3 * HOUR, max: 3 * HOUR })).map(([t, d]) => new Date(t + d));
  return fc.oneof(anywhere, nearChange);
}
