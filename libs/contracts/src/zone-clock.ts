import { IANAZone } from 'luxon';
import { timeZoneProblem } from '@leadrelay/sdk/internal';

const HOUR = 3_600_000;
export const DAY = 86_400_000;

/**
 * A time zone's wall clock as arithmetic on milliseconds. "Wall" times are local date and time
 * written as if they were UTC (`Date.UTC(y, m, d, h, min)`), so calendar maths is plain UTC maths and
 * only the offset needs the zone. Luxon supplies the offsets; its own wall-to-instant conversion
 * is not used, because it resolves a repeated autumn time to the later instant and a skipped
 * spring time to one an hour late, and both windows and openings need the earliest.
 */
export class ZoneClock {
  private static readonly known = new Map<string, ZoneClock>();
  private readonly zone: IANAZone;

  /** The clock of an IANA zone (kept per name); throws, naming the nearest zone, on an unknown one. */
  static of(name: string): ZoneClock {
    let clock = ZoneClock.known.get(name);
    if (!clock) {
      clock = new ZoneClock(name);
      ZoneClock.known.set(name, clock);
    }
    return clock;
  }

  private constructor(readonly name: string) {
    const problem = timeZoneProblem(name);
    if (problem) throw new Error(problem);
    this.zone = IANAZone.create(name);
  }

  /** Offset from UTC at an instant, in ms. */
  offset(at: number): number {
    return this.zone.offset(at) * 60_000;
  }

  wall(at: number): number {
    return at + this.offset(at);
  }

  /**
   * The first instant whose offset differs from `from`'s, in `(from, to]`, given that `to`'s does.
   * Zones change offset at most once in the spans asked about (hours), so bisection finds it.
   * (Each offset is an Intl look-up, about 5 µs: callers ask for few.)
   */
  transition(from: number, to: number): number {
    const before = this.offset(from);
    let [lo, hi] = [from, to];
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.offset(mid) === before) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  /** Offset changes in `(from, to]`, earliest first (sampled every 6 h: real zones change far less often). */
  *transitions(from: number, to: number): Generator<number> {
    for (let a = from; a < to; ) {
      const b = Math.min(a + 6 * HOUR, to);
      if (this.offset(a) !== this.offset(b)) {
        const t = this.transition(a, b);
        yield t;
        a = t;
      } else {
        a = b;
      }
    }
  }

  /** The instants showing wall time `wall`, earliest first: one, two (autumn's repeated hour) or none (spring's gap). */
  instantsAt(wall: number): number[] {
    // Offsets run from -12 h to +14 h, so the instant lies within 14 h of the wall time; a zone
    // changes offset at most once in that span, so its two ends show every offset it could have.
    const offsets = new Set([-14 * HOUR, 0, 14 * HOUR].map((d) => this.offset(wall + d)));
    return [...offsets]
      .map((o) => wall - o)
      .filter((t) => this.offset(t) === wall - t)
      .sort((a, b) => a - b);
  }

  /** The earliest instant whose wall time is `wall`, or, when spring skips it, the first instant after the gap. */
  firstAtOrAfter(wall: number): number {
    const [first] = this.instantsAt(wall);
    if (first !== undefined) return first;
    const offsets = [-14 * HOUR, 14 * HOUR].map((d) => this.offset(wall + d));
    return this.transition(wall - Math.max(...offsets), wall - Math.min(...offsets));
  }
}

/** Luxon-free split of a wall time: days since 1970-01-01, ISO weekday index (Monday 0), ms into the day. */
export function wallParts(wall: number): { days: number; weekday: number; msOfDay: number } {
  const days = Math.floor(wall / DAY);
  return { days, weekday: (((days + 3) % 7) + 7) % 7, msOfDay: wall - days * DAY };
}
