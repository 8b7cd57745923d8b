import { at, cron, every, realtime } from '@leadrelay/sdk';
import { nextFireTimes } from './fire-times.calculator';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());

describe('nextFireTimes', () => {
  const chicago8 = at(['08:00'], 'America/Chicago');

  it('keeps 08:00 Chicago time across the March DST change (14:00Z, then 13:00Z)', () => {
    expect(iso(nextFireTimes(chicago8, new Date('2026-03-07T00:00:00Z'), 3))).toEqual([
      '2026-03-07T14:00:00.000Z',
      '2026-03-08T13:00:00.000Z',
      '2026-03-09T13:00:00.000Z',
    ]);
  });

  it('keeps 08:00 Chicago time across the November DST change (13:00Z, then 14:00Z)', () => {
    expect(iso(nextFireTimes(chicago8, new Date('2026-10-31T00:00:00Z'), 3))).toEqual([
      '2026-10-31T13:00:00.000Z',
      '2026-11-01T14:00:00.000Z',
      '2026-11-02T14:00:00.000Z',
    ]);
  });

  it('merges several times of day in order, strictly after `from`', () => {
    const spec = at(['15:00', '08:00', '08:30'], 'America/Chicago');
    expect(iso(nextFireTimes(spec, new Date('2026-03-07T14:00:00Z'), 4))).toEqual([
      '2026-03-07T14:30:00.000Z',
      '2026-03-07T21:00:00.000Z',
      '2026-03-08T13:00:00.000Z',
      '2026-03-08T13:30:00.000Z',
    ]);
  });

  it('fires a time that happens twice on the fall-back night once', () => {
    expect(iso(nextFireTimes(at(['01:30'], 'America/Chicago'), new Date('2026-11-01T00:00:00Z'), 2))).toEqual([
      '2026-11-01T06:30:00.000Z',
      '2026-11-02T07:30:00.000Z',
    ]);
  });

  it('reads a cron expression in its time zone', () => {
    const weekdays9 = cron('0 9 * * 1-5', 'America/New_York');
    // 2026-03-06 is a Friday; the US changes to EDT on Sunday the 8th.
    expect(iso(nextFireTimes(weekdays9, new Date('2026-03-06T15:00:00Z'), 2))).toEqual(['2026-03-09T13:00:00.000Z', '2026-03-10T13:00:00.000Z']);
  });

  it('every: multiples of the interval since the epoch, strictly after `from`', () => {
    expect(iso(nextFireTimes(every('15m'), new Date('2026-03-07T10:07:12Z'), 3))).toEqual([
      '2026-03-07T10:15:00.000Z',
      '2026-03-07T10:30:00.000Z',
      '2026-03-07T10:45:00.000Z',
    ]);
    expect(iso(nextFireTimes(every('15m'), new Date('2026-03-07T10:15:00Z'), 1))).toEqual(['2026-03-07T10:30:00.000Z']);
    expect(iso(nextFireTimes(every('1d'), new Date('2026-03-07T10:00:00Z'), 1))).toEqual(['2026-03-08T00:00:00.000Z']);
  });

  it('realtime never fires; a count of 0 gives nothing', () => {
    expect(nextFireTimes(realtime, new Date(), 5)).toEqual([]);
    expect(nextFireTimes(chicago8, new Date(), 0)).toEqual([]);
  });
});
