import { defaultRepeatStrategy } from 'bullmq';
import { type ScheduleSpec } from '@leadrelay/sdk/plugin';
import { at, cron, every, realtime } from '@leadrelay/sdk';
import { nextFireTimes } from './fire-times.calculator';
import { repeatOptionsFor } from './job-scheduler.options';

describe('repeatOptionsFor', () => {
  it('realtime needs no job scheduler', () => {
    expect(repeatOptionsFor(realtime)).toEqual([]);
  });

  it('every: the interval in milliseconds', () => {
    expect(repeatOptionsFor(every('15m'))).toEqual([{ key: 'every-900000', repeat: { every: 900_000 } }]);
    expect(repeatOptionsFor(every('1d'))[0].repeat).toEqual({ every: 86_400_000 });
  });

  it('at: one cron pattern per minute, hours grouped, in the time zone', () => {
    expect(repeatOptionsFor(at(['15:00', '08:00'], 'America/Chicago'))).toEqual([
      { key: 'cron-0_8,15_*_*_*-America/Chicago', repeat: { pattern: '0 8,15 * * *', tz: 'America/Chicago' } },
    ]);
    expect(repeatOptionsFor(at(['08:30', '08:00', '15:00', '17:30', '08:00'], 'Europe/Berlin')).map((r) => r.repeat)).toEqual([
      { pattern: '0 8,15 * * *', tz: 'Europe/Berlin' },
      { pattern: '30 8,17 * * *', tz: 'Europe/Berlin' },
    ]);
  });

  it('cron: the expression (whitespace normalised) and its time zone', () => {
    expect(repeatOptionsFor(cron(' 0  9 * * 1-5 ', 'America/New_York'))).toEqual([
      { key: 'cron-0_9_*_*_1-5-America/New_York', repeat: { pattern: '0 9 * * 1-5', tz: 'America/New_York' } },
    ]);
  });

  it('keys are stable for the same schedule and differ for different ones', () => {
    const keys = (s: Parameters<typeof repeatOptionsFor>[0]) => repeatOptionsFor(s).map((r) => r.key);
    expect(keys(at(['08:00', '15:00'], 'America/Chicago'))).toEqual(keys(at(['15:00', '08:00'], 'America/Chicago')));
    // The same ticks written as at() or cron() are the same job scheduler.
    expect(keys(at(['08:00', '15:00'], 'America/Chicago'))).toEqual(keys(cron('0 8,15 * * *', 'America/Chicago')));
    const all = [
      ...keys(at(['08:00'], 'America/Chicago')),
      ...keys(at(['08:00'], 'America/Denver')),
      ...keys(at(['09:00'], 'America/Chicago')),
      ...keys(every('15m')),
      ...keys(every('1h')),
    ];
    expect(new Set(all).size).toBe(all.length);
    for (const key of all) expect(key).not.toMatch(/[: ]/);
  });

  describe('the repeat options fire when nextFireTimes says, by BullMQ\'s own next-time computation', () => {
    /** The next `n` ticks of every scheduler of a schedule, as BullMQ computes them tick after tick from `from`. */
    const bullmqFires = (spec: ScheduleSpec, from: string, n: number) =>
      repeatOptionsFor(spec)
        .flatMap(({ repeat }) => {
          const out: number[] = [];
          let millis = Date.parse(from);
          for (let i = 0; i < n; i++) out.push((millis = defaultRepeatStrategy(millis, repeat)!));
          return out;
        })
        .sort((a, b) => a - b)
        .slice(0, n)
        .map((t) => new Date(t).toISOString());
    const ours = (spec: ScheduleSpec, from: string, n: number) => nextFireTimes(spec, new Date(from), n).map((d) => d.toISOString());

    it.each([
      ['08:00 Chicago over the March change', at(['08:00'], 'America/Chicago'), '2026-03-06T12:00:00Z'],
      ['08:00 Chicago over the November change', at(['08:00'], 'America/Chicago'), '2026-10-30T12:00:00Z'],
      ['08:00 and 15:30 Chicago over the March change', at(['08:00', '15:30'], 'America/Chicago'), '2026-03-07T00:00:00Z'],
      ['01:30 Chicago, a time the fall-back night has twice', at(['01:30'], 'America/Chicago'), '2026-10-31T00:00:00Z'],
      ['weekdays 09:00 New York', cron('0 9 * * 1-5', 'America/New_York'), '2026-03-05T00:00:00Z'],
      ['07:00 Berlin over the European change', at(['07:00'], 'Europe/Berlin'), '2026-03-27T00:00:00Z'],
    ])('%s', (_, spec, from) => {
      expect(bullmqFires(spec, from, 5)).toEqual(ours(spec, from, 5));
    });

    it('keeps 08:00 local in Chicago, at 14:00Z before the March change and 13:00Z after', () => {
      expect(bullmqFires(at(['08:00'], 'America/Chicago'), '2026-03-07T00:00:00Z', 3)).toEqual([
        '2026-03-07T14:00:00.000Z',
        '2026-03-08T13:00:00.000Z',
        '2026-03-09T13:00:00.000Z',
      ]);
      expect(bullmqFires(at(['08:00'], 'America/Chicago'), '2026-10-31T00:00:00Z', 3)).toEqual([
        '2026-10-31T13:00:00.000Z',
        '2026-11-01T14:00:00.000Z',
        '2026-11-02T14:00:00.000Z',
      ]);
    });
  });
});
