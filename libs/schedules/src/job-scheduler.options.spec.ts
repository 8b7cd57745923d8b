import { at, cron, every, realtime } from '@leadrelay/sdk';
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
});
