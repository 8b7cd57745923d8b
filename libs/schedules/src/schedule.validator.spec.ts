import { at, cron, every, realtime } from '@leadrelay/sdk';
import { validateSchedule } from './schedule.validator';

describe('validateSchedule', () => {
  it('accepts good schedules', () => {
    expect(validateSchedule(realtime)).toEqual([]);
    expect(validateSchedule(every('90m'))).toEqual([]);
    expect(validateSchedule(at(['08:00', '15:00'], 'America/Chicago'))).toEqual([]);
    expect(validateSchedule(cron('0 9 * * 1-5', 'America/New_York'))).toEqual([]);
    expect(validateSchedule(cron('30 0 9 * * *'))).toEqual([]);
    expect(validateSchedule(cron('@daily', 'Europe/Paris'))).toEqual([]);
  });

  it('rejects a cron expression that does not parse', () => {
    const [message] = validateSchedule(cron('61 8 * * *', 'America/Chicago'));
    expect(message).toMatch(/^cron expression '61 8 \* \* \*' does not parse: .*59/);
    expect(validateSchedule(cron('every day at noon'))).toEqual([expect.stringContaining('has 4 field(s)')]);
    expect(validateSchedule(cron('not a cron at all'))).toEqual([expect.stringContaining('does not parse')]);
  });

  it('rejects a cron expression with the wrong number of fields, or none', () => {
    expect(validateSchedule(cron('0 8'))).toEqual([expect.stringContaining('has 2 field(s); expected 5')]);
    expect(validateSchedule(cron('0 0 8 * * * *'))).toEqual([expect.stringContaining('has 7 field(s)')]);
    expect(validateSchedule(cron('  '))).toEqual(['cron expression is empty']);
  });

  it('rejects a cron expression that can never fire', () => {
    expect(validateSchedule(cron('0 0 31 4 *'))).toEqual([expect.stringContaining('does not parse')]);
  });

  it('rejects unknown time zones, bad times and bad intervals, all at once', () => {
    expect(validateSchedule(at(['8am', '24:00'], 'America/Chicgo'))).toEqual([
      "unknown time zone 'America/Chicgo'; did you mean 'America/Chicago'?",
      "time '8am' must be HH:MM (24-hour)",
      "time '24:00' must be HH:MM (24-hour)",
    ]);
    expect(validateSchedule(at([], 'UTC'))).toEqual(['at() needs at least one time of day']);
    expect(validateSchedule(cron('0 8 * * *', 'Mars/Olympus'))).toEqual(["unknown time zone 'Mars/Olympus'"]);
    expect(validateSchedule(every('15 minutes'))).toEqual([expect.stringContaining("interval '15 minutes' must look like")]);
    expect(validateSchedule(every('0s'))).toHaveLength(1);
  });
});
