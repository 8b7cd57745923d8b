import fc from 'fast-check';
import type { Cap, CapWindow } from '@leadrelay/sdk';
import { capLabel, capReason, capWindow } from './cap-window.calculator';
import { instantsIn } from '../testing/zone-instants.fixture';

const HOUR = 3_600_000;
const window = (per: CapWindow, at: string, timeZone?: string) => {
  const w = capWindow({ max: 10, per, timeZone }, new Date(at));
  return { start: w.start.toISOString(), end: w.end.toISOString(), key: w.key, hours: (w.end.getTime() - w.start.getTime()) / HOUR };
};

describe('capWindow', () => {
  it('UTC by default: the calendar hour, day, ISO week (from Monday) and month', () => {
    expect(window('hour', '2026-12-02T13:45:10Z')).toEqual({ start: '2026-12-02T13:00:00.000Z', end: '2026-12-02T14:00:00.000Z', key: 'hour@UTC:2026-12-02T13+00:00', hours: 1 });
    expect(window('day', '2026-12-02T13:45:10Z')).toEqual({ start: '2026-12-02T00:00:00.000Z', end: '2026-12-03T00:00:00.000Z', key: 'day@UTC:2026-12-02', hours: 24 });
    expect(window('week', '2026-12-02T13:45:10Z')).toEqual({ start: '2026-11-30T00:00:00.000Z', end: '2026-12-07T00:00:00.000Z', key: 'week@UTC:2026-W49', hours: 168 });
    expect(window('month', '2026-12-02T13:45:10Z')).toEqual({ start: '2026-12-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z', key: 'month@UTC:2026-12', hours: 744 });
  });

  it('a window starts at its first instant and ends just before the next', () => {
    expect(window('day', '2026-12-02T00:00:00Z').start).toBe('2026-12-02T00:00:00.000Z');
    expect(window('day', '2026-12-02T23:59:59.999Z').key).toBe('day@UTC:2026-12-02');
    expect(window('day', '2026-12-03T00:00:00Z').key).toBe('day@UTC:2026-12-03');
  });

  it('weeks are ISO weeks: the key carries the week-numbering year', () => {
    expect(window('week', '2026-12-31T12:00:00Z').key).toBe('week@UTC:2026-W53');
    expect(window('week', '2027-01-02T12:00:00Z')).toMatchObject({ key: 'week@UTC:2026-W53', start: '2026-12-28T00:00:00.000Z' });
    expect(window('week', '2027-01-04T00:00:00Z').key).toBe('week@UTC:2027-W01');
    expect(window('week', '2026-12-06T23:59:59Z').key).toBe('week@UTC:2026-W49'); // Sunday ends the week
  });

  // [what it shows, window, an instant in it, zone, start, end, key, hours long]
  it.each<[string, CapWindow, string, string, string, string, string, number]>([
    ['a Chicago day starts at local midnight', 'day', '2026-12-02T15:00:00Z', 'America/Chicago', '2026-12-02T06:00', '2026-12-03T06:00', 'day@America/Chicago:2026-12-02', 24],
    ['04:00 UTC on 3 December is still 2 December in Chicago', 'day', '2026-12-03T04:00:00Z', 'America/Chicago', '2026-12-02T06:00', '2026-12-03T06:00', 'day@America/Chicago:2026-12-02', 24],
    ['Chicago, 8 March 2026 (spring forward) has 23 hours', 'day', '2026-03-08T12:00:00Z', 'America/Chicago', '2026-03-08T06:00', '2026-03-09T05:00', 'day@America/Chicago:2026-03-08', 23],
    ['Chicago, 1 November 2026 (fall back) has 25 hours', 'day', '2026-11-01T12:00:00Z', 'America/Chicago', '2026-11-01T05:00', '2026-11-02T06:00', 'day@America/Chicago:2026-11-01', 25],
    ['the week of a change is an hour short', 'week', '2026-03-08T12:00:00Z', 'America/Chicago', '2026-03-02T06:00', '2026-03-09T05:00', 'week@America/Chicago:2026-W10', 167],
    ['the month of a change is an hour short', 'month', '2026-03-31T23:00:00Z', 'America/Chicago', '2026-03-01T06:00', '2026-04-01T05:00', 'month@America/Chicago:2026-03', 743],
    ['or an hour long', 'month', '2026-11-15T12:00:00Z', 'America/Chicago', '2026-11-01T05:00', '2026-12-01T06:00', 'month@America/Chicago:2026-11', 721],
    ['spring: 01:00 CST is the last hour before the gap', 'hour', '2026-03-08T07:59:59Z', 'America/Chicago', '2026-03-08T07:00', '2026-03-08T08:00', 'hour@America/Chicago:2026-03-08T01-06:00', 1],
    ['spring: 03:00 CDT follows it', 'hour', '2026-03-08T08:00:00Z', 'America/Chicago', '2026-03-08T08:00', '2026-03-08T09:00', 'hour@America/Chicago:2026-03-08T03-05:00', 1],
    ['autumn: the first 01:00 (CDT)', 'hour', '2026-11-01T06:30:00Z', 'America/Chicago', '2026-11-01T06:00', '2026-11-01T07:00', 'hour@America/Chicago:2026-11-01T01-05:00', 1],
    ['autumn: the second 01:00 (CST), another window', 'hour', '2026-11-01T07:30:00Z', 'America/Chicago', '2026-11-01T07:00', '2026-11-01T08:00', 'hour@America/Chicago:2026-11-01T01-06:00', 1],
    ['Berlin, 29 March 2026 has 23 hours', 'day', '2026-03-29T12:00:00Z', 'Europe/Berlin', '2026-03-28T23:00', '2026-03-29T22:00', 'day@Europe/Berlin:2026-03-29', 23],
    ['Berlin, 25 October 2026 has 25 hours', 'day', '2026-10-25T12:00:00Z', 'Europe/Berlin', '2026-10-24T22:00', '2026-10-25T23:00', 'day@Europe/Berlin:2026-10-25', 25],
    ['Berlin, the first 02:00 (CEST)', 'hour', '2026-10-25T00:30:00Z', 'Europe/Berlin', '2026-10-25T00:00', '2026-10-25T01:00', 'hour@Europe/Berlin:2026-10-25T02+02:00', 1],
    ['Berlin, the second 02:00 (CET)', 'hour', '2026-10-25T01:30:00Z', 'Europe/Berlin', '2026-10-25T01:00', '2026-10-25T02:00', 'hour@Europe/Berlin:2026-10-25T02+01:00', 1],
    ['a Kolkata hour starts at :30 UTC', 'hour', '2026-12-02T10:10:00Z', 'Asia/Kolkata', '2026-12-02T09:30', '2026-12-02T10:30', 'hour@Asia/Kolkata:2026-12-02T15+05:30', 1],
  ])('in its zone: %s', (_what, per, at, zone, start, end, key, hours) => {
    expect(window(per, at, zone)).toEqual({ start: `${start}:00.000Z`, end: `${end}:00.000Z`, key, hours });
  });

  it('throws on an unknown zone, naming the nearest', () => {
    expect(() => capWindow({ max: 1, per: 'day', timeZone: 'America/Chicgo' }, new Date())).toThrow("unknown time zone 'America/Chicgo'; did you mean 'America/Chicago'?");
  });

  describe('properties', () => {
    const ZONES = ['UTC', 'America/Chicago', 'Europe/Berlin', 'Asia/Kolkata', 'America/Sao_Paulo', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns'];
    const cases = fc.constantFrom(...ZONES).chain((timeZone) =>
      fc.record({
        at: instantsIn(timeZone),
        cap: fc.record({ max: fc.constant(1), per: fc.constantFrom<CapWindow>('hour', 'day', 'week', 'month'), timeZone: fc.constant(timeZone) }),
      }),
    );

    it('every instant lies in exactly its window, and the windows tile time', () => {
      fc.assert(
        fc.property(cases, ({ cap, at }: { cap: Cap; at: Date }) => {
          const w = capWindow(cap, at);
          expect(w.start.getTime()).toBeLessThanOrEqual(at.getTime());
          expect(w.end.getTime()).toBeGreaterThan(at.getTime());
          // Its neighbours meet it, and its first and last instants name it. In this order each call
          // falls outside the window found just before, so none is answered from capWindow's memo.
          const next = capWindow(cap, w.end);
          expect(next.start).toEqual(w.end);
          expect(next.key).not.toBe(w.key);
          expect(capWindow(cap, new Date(w.end.getTime() - 1))).toEqual(w);
          expect(capWindow(cap, new Date(w.start.getTime() - 1)).end).toEqual(w.start);
          expect(capWindow(cap, w.start)).toEqual(w);
        }),
        { numRuns: 500 },
      );
    });

    it('a day lasts 23 to 25 hours and an hour one (zones that change by an hour)', () => {
      const wholeHour = fc.constantFrom('UTC', 'America/Chicago', 'Europe/Berlin', 'Asia/Kolkata', 'America/Sao_Paulo', 'America/St_Johns');
      fc.assert(
        fc.property(wholeHour.chain((timeZone) => fc.tuple(fc.constant(timeZone), instantsIn(timeZone))), ([timeZone, at]) => {
          const day = capWindow({ max: 1, per: 'day', timeZone }, at);
          expect([23, 24, 25]).toContain((day.end.getTime() - day.start.getTime()) / HOUR);
          const hour = capWindow({ max: 1, per: 'hour', timeZone }, at);
          expect(hour.end.getTime() - hour.start.getTime()).toBe(HOUR);
        }),
        { numRuns: 300 },
      );
    });
  });
});

describe('capLabel, capReason', () => {
  it('name the cap, with its zone unless UTC', () => {
    expect(capLabel({ max: 100, per: 'day' })).toBe('100/day');
    expect(capLabel({ max: 100, per: 'day', timeZone: 'UTC' })).toBe('100/day');
    expect(capReason({ max: 100, per: 'day' })).toBe('cap 100/day reached');
    expect(capReason({ max: 100, per: 'day', timeZone: 'America/Chicago' })).toBe('cap 100/day (America/Chicago) reached');
    expect(capReason({ max: 5, per: 'hour', timeZone: 'Etc/UTC' })).toBe('cap 5/hour (Etc/UTC) reached');
  });
});
