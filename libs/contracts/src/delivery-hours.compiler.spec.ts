import fc from 'fast-check';
import type { DeliveryHours } from '@leadrelay/sdk';
import { compileHours } from './delivery-hours.compiler';
import { instantsIn } from '../testing/zone-instants.fixture';

const MINUTE = 60_000;
const next = (hours: DeliveryHours, at: string) => compileHours(hours).nextOpening(new Date(at)).toISOString();
const open = (hours: DeliveryHours, at: string) => compileHours(hours).isOpen(new Date(at));

describe('compileHours', () => {
  const office: DeliveryHours = { timeZone: 'America/Chicago', weekdays: ['08:00-12:00', '13:00-18:00'], sat: ['09:00-13:00'] };

  it('is open while the local time lies in one of the day’s ranges: start included, end not', () => {
    // Wednesday 2 December 2026, Chicago is UTC-6.
    expect(open(office, '2026-12-02T13:59:59.999Z')).toBe(false);
    expect(open(office, '2026-12-02T14:00:00Z')).toBe(true);
    expect(open(office, '2026-12-02T17:59:59Z')).toBe(true);
    expect(open(office, '2026-12-02T18:00:00Z')).toBe(false); // lunch
    expect(open(office, '2026-12-02T19:00:00Z')).toBe(true);
    expect(open(office, '2026-12-03T00:00:00Z')).toBe(false); // 18:00
  });

  it('weekdays are Monday to Friday; a day’s own entry replaces them; a day with neither is closed', () => {
    expect(open(office, '2026-12-05T15:30:00Z')).toBe(true); // Saturday 09:30
    expect(open(office, '2026-12-05T19:30:00Z')).toBe(false); // Saturday 13:30
    expect(open(office, '2026-12-06T16:00:00Z')).toBe(false); // Sunday
    const noMonday = { ...office, mon: [] };
    expect(open(noMonday, '2026-12-07T16:00:00Z')).toBe(false);
    expect(open(noMonday, '2026-12-08T16:00:00Z')).toBe(true);
    expect(open({ timeZone: 'UTC', fri: ['10:00-11:00'] }, '2026-12-04T10:30:00Z')).toBe(true);
    expect(open({ timeZone: 'UTC', fri: ['10:00-11:00'] }, '2026-12-03T10:30:00Z')).toBe(false);
  });

  it('24:00 ends a day; ranges meeting at midnight stay open across it', () => {
    const nights: DeliveryHours = { timeZone: 'UTC', fri: ['20:00-24:00'], sat: ['00:00-02:00'] };
    expect(open(nights, '2026-12-04T23:59:59.999Z')).toBe(true);
    expect(open(nights, '2026-12-05T00:00:00Z')).toBe(true);
    expect(open(nights, '2026-12-05T02:00:00Z')).toBe(false);
    expect(next(nights, '2026-12-05T02:00:00Z')).toBe('2026-12-11T20:00:00.000Z');
  });

  describe('nextOpening', () => {
    it('is the instant itself while open', () => {
      const at = new Date('2026-12-02T15:00:00Z');
      expect(compileHours(office).nextOpening(at)).toBe(at);
    });

    it('is the next range start, later today or on a later day', () => {
      expect(next(office, '2026-12-02T12:00:00Z')).toBe('2026-12-02T14:00:00.000Z'); // 06:00 → 08:00
      expect(next(office, '2026-12-02T18:30:00Z')).toBe('2026-12-02T19:00:00.000Z'); // lunch → 13:00
      expect(next(office, '2026-12-03T00:00:00Z')).toBe('2026-12-03T14:00:00.000Z'); // 18:00 → Thursday 08:00
      expect(next(office, '2026-12-05T20:00:00Z')).toBe('2026-12-07T14:00:00.000Z'); // Saturday 14:00 → Monday 08:00
      expect(next({ timeZone: 'UTC', sun: ['10:00-11:00'] }, '2026-12-06T11:00:00Z')).toBe('2026-12-13T10:00:00.000Z'); // a week on
    });

    it('America/Chicago, spring forward on Sunday 8 March 2026: 08:00 local on both sides', () => {
      // Friday 6 March 08:00 CST is 14:00 UTC; Monday 9 March 08:00 CDT is 13:00 UTC.
      expect(next(office, '2026-03-06T02:00:00Z')).toBe('2026-03-06T14:00:00.000Z');
      expect(next(office, '2026-03-07T20:00:00Z')).toBe('2026-03-09T13:00:00.000Z');
      expect(next({ timeZone: 'America/Chicago', sun: ['08:00-10:00'] }, '2026-03-08T06:00:00Z')).toBe('2026-03-08T13:00:00.000Z');
    });

    it('a range starting in the skipped hour opens when the clock jumps to 03:00', () => {
      const hours: DeliveryHours = { timeZone: 'America/Chicago', sun: ['02:30-05:00'] };
      expect(next(hours, '2026-03-08T07:00:00Z')).toBe('2026-03-08T08:00:00.000Z'); // 01:00 CST → 03:00 CDT
      expect(open(hours, '2026-03-08T07:59:59Z')).toBe(false);
      expect(open(hours, '2026-03-08T08:00:00Z')).toBe(true);
      expect(open(hours, '2026-03-08T09:59:59Z')).toBe(true); // 04:59 CDT
      expect(open(hours, '2026-03-08T10:00:00Z')).toBe(false);
    });

    it('a range wholly in the skipped hour does not open that day', () => {
      expect(next({ timeZone: 'America/Chicago', sun: ['02:00-02:45'] }, '2026-03-08T07:00:00Z')).toBe('2026-03-15T07:00:00.000Z'); // 02:00 CDT a week later
    });

    it('America/Chicago, fall back on Sunday 1 November 2026: 08:00 local on both sides', () => {
      // Friday 30 October 08:00 CDT is 13:00 UTC; Monday 2 November 08:00 CST is 14:00 UTC.
      expect(next(office, '2026-10-30T06:00:00Z')).toBe('2026-10-30T13:00:00.000Z');
      expect(next(office, '2026-10-31T20:00:00Z')).toBe('2026-11-02T14:00:00.000Z');
    });

    it('in the repeated hour the local clock decides: a range in it opens on both passes', () => {
      const hours: DeliveryHours = { timeZone: 'America/Chicago', sun: ['01:20-01:40'] };
      expect(open(hours, '2026-11-01T06:30:00Z')).toBe(true); // 01:30 CDT
      expect(open(hours, '2026-11-01T07:30:00Z')).toBe(true); // 01:30 CST
      expect(next(hours, '2026-11-01T06:50:00Z')).toBe('2026-11-01T07:20:00.000Z'); // 01:50 CDT → 01:20 CST
      // The clock going back from 02:00 to 01:00 re-enters a range it had left.
      expect(next({ timeZone: 'America/Chicago', sun: ['00:30-01:30'] }, '2026-11-01T06:40:00Z')).toBe('2026-11-01T07:00:00.000Z');
    });

    it('Europe/Berlin: 09:00 local across 29 March and 25 October 2026', () => {
      const berlin: DeliveryHours = { timeZone: 'Europe/Berlin', weekdays: ['09:00-17:00'] };
      expect(next(berlin, '2026-03-27T06:00:00Z')).toBe('2026-03-27T08:00:00.000Z'); // Friday, CET
      expect(next(berlin, '2026-03-27T17:00:00Z')).toBe('2026-03-30T07:00:00.000Z'); // Monday, CEST
      expect(next(berlin, '2026-10-23T16:00:00Z')).toBe('2026-10-26T08:00:00.000Z'); // Friday 18:00 CEST → Monday CET
      expect(next({ timeZone: 'Europe/Berlin', sun: ['02:15-04:00'] }, '2026-03-29T00:30:00Z')).toBe('2026-03-29T01:00:00.000Z'); // 01:30 CET → 03:00 CEST
    });
  });

  it('throws at compile time on hours that never open or do not parse', () => {
    expect(() => compileHours({ timeZone: 'UTC' })).toThrow('invalid hours: hours: opens on no day');
    expect(() => compileHours({ timeZone: 'UTC', weekdays: [], sat: [] })).toThrow('opens on no day');
    expect(() => compileHours({ timeZone: 'Mars/Olympus', weekdays: ['08:00-18:00'] })).toThrow("hours.timeZone: unknown time zone 'Mars/Olympus'");
    expect(() => compileHours({ timeZone: 'UTC', weekdays: ['08:00-12:00', '11:00-13:00'] })).toThrow("hours.weekdays.1: '11:00-13:00' overlaps '08:00-12:00'");
  });

  describe('properties', () => {
    const ZONES = ['UTC', 'America/Chicago', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/Sao_Paulo'];
    const time = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    // A day's opening times: up to three disjoint ranges (which may meet) on a 15-minute grid.
    // These zones' offsets and changes fall on it too, so openness can change only on the grid's
    // instants, and sampling those is exact.
    const STEP = 15 * MINUTE;
    const day = fc
      .uniqueArray(fc.integer({ min: 0, max: 96 }).map((q) => q * 15), { maxLength: 6 })
      .map((cuts) => cuts.sort((a, b) => a - b))
      .map((cuts) => Array.from({ length: Math.floor(cuts.length / 2) }, (_, i) => `${time(cuts[2 * i])}-${time(cuts[2 * i + 1])}`));
    const week = fc
      .record({ timeZone: fc.constantFrom(...ZONES), weekdays: fc.option(day, { nil: undefined }), sat: fc.option(day, { nil: undefined }), sun: fc.option(day, { nil: undefined }), wed: fc.option(day, { nil: undefined }) })
      .filter((h) => [h.weekdays, h.sat, h.sun, h.wed].some((d) => d && d.length > 0))
      .map((h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== undefined)) as unknown as DeliveryHours);
    const cases = week.chain((hours) => fc.record({ hours: fc.constant(hours), at: instantsIn(hours.timeZone) }));

    it('nextOpening is open, not before at, and no open minute lies between', () => {
      fc.assert(
        fc.property(cases, ({ hours, at }) => {
          const compiled = compileHours(hours);
          const opening = compiled.nextOpening(at);
          expect(opening.getTime()).toBeGreaterThanOrEqual(at.getTime());
          expect(compiled.isOpen(opening)).toBe(true);
          if (opening === at) return;
          expect(compiled.isOpen(at)).toBe(false);
          const openBefore: string[] = [];
          for (let t = Math.ceil(at.getTime() / STEP) * STEP; t < opening.getTime(); t += STEP) if (compiled.isOpen(new Date(t))) openBefore.push(new Date(t).toISOString());
          expect(openBefore).toEqual([]);
          expect(compiled.isOpen(new Date(opening.getTime() - 1))).toBe(false);
        }),
        { numRuns: 150 },
      );
    });
  });
});
