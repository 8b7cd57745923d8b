import { RetrySchedule } from './retry.policy';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** The delays a schedule gives after each try until it gives up, with a fixed "random" value. */
function delays(schedule: RetrySchedule): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  for (let attempt = 1; attempt <= schedule.attempts; attempt++) out.push(schedule.delayAfter(attempt));
  return out;
}

describe('RetrySchedule (docs/architecture.md › The retry policy)', () => {
  it('by default retries about 10 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h after each try, then gives up', () => {
    const expected = [10 * SECOND, 30 * SECOND, 2 * MINUTE, 10 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR];
    expect(new RetrySchedule().attempts).toBe(expected.length + 1);
    expect(delays(new RetrySchedule({}, () => 0.5))).toEqual([...expected, undefined]);
    // Jitter stays within ±20 %, and never past the 4 h ceiling.
    const low = delays(new RetrySchedule({}, () => 0));
    const high = delays(new RetrySchedule({}, () => 0.999999));
    expected.forEach((ms, i) => {
      expect(low[i]).toBe(Math.round(ms * 0.8));
      expect(high[i]).toBeGreaterThanOrEqual(ms);
      expect(high[i]).toBeLessThanOrEqual(Math.min(Math.round(ms * 1.2), 4 * HOUR));
    });
  });

  it('jitters each delay somewhere inside its bounds', () => {
    const schedule = new RetrySchedule();
    for (let i = 0; i < 200; i++) {
      const d = schedule.delayAfter(1)!;
      expect(d).toBeGreaterThanOrEqual(8 * SECOND);
      expect(d).toBeLessThanOrEqual(12 * SECOND);
    }
    const seen = new Set(Array.from({ length: 50 }, () => schedule.delayAfter(3)));
    expect(seen.size).toBeGreaterThan(1);
  });

  it('grows ×3 from firstDelayMs when exponential, up to maxDelayMs', () => {
    const schedule = new RetrySchedule({ attempts: 6, firstDelayMs: 200, maxDelayMs: 10_000 }, () => 0.5);
    expect(delays(schedule)).toEqual([200, 600, 1_800, 5_400, 10_000, undefined]);
    expect(new RetrySchedule({ attempts: 3, backoff: 'exponential', firstDelayMs: 1_000 }, () => 0.5).delayAfter(2)).toBe(3_000);
  });

  it('keeps the same delay when fixed (10 s unless told)', () => {
    expect(delays(new RetrySchedule({ attempts: 4, backoff: 'fixed', firstDelayMs: 500 }, () => 0.5))).toEqual([500, 500, 500, undefined]);
    expect(new RetrySchedule({ backoff: 'fixed' }, () => 0.5).delayAfter(5)).toBe(10 * SECOND);
  });

  it('never waits longer than maxDelayMs, jitter included', () => {
    const schedule = new RetrySchedule({ attempts: 10, firstDelayMs: 1_000, maxDelayMs: 2_000 }, () => 0.999999);
    for (let attempt = 1; attempt < 10; attempt++) expect(schedule.delayAfter(attempt)).toBeLessThanOrEqual(2_000);
  });

  it("honours a buyer's Retry-After within [1 s, maxDelayMs], without jitter", () => {
    const schedule = new RetrySchedule({ attempts: 5, firstDelayMs: 200, maxDelayMs: 60_000 }, () => 0.999999);
    expect(schedule.delayAfter(1, 5_000)).toBe(5_000);
    expect(schedule.delayAfter(1, 0)).toBe(1_000);
    expect(schedule.delayAfter(1, 250)).toBe(1_000);
    expect(schedule.delayAfter(1, 24 * HOUR)).toBe(60_000);
    expect(schedule.delayAfter(1, Number.NaN)).toBe(240);
    // The default ceiling is 4 h.
    expect(new RetrySchedule().delayAfter(1, 7 * 24 * HOUR)).toBe(4 * HOUR);
  });

  it('gives up once the attempts are used, Retry-After or not', () => {
    const schedule = new RetrySchedule({ attempts: 3, firstDelayMs: 100 });
    expect(schedule.delayAfter(2)).toBeDefined();
    expect(schedule.delayAfter(3)).toBeUndefined();
    expect(schedule.delayAfter(3, 1_000)).toBeUndefined();
    expect(schedule.delayAfter(7)).toBeUndefined();
    expect(new RetrySchedule({ attempts: 1 }).delayAfter(1)).toBeUndefined();
  });
});
