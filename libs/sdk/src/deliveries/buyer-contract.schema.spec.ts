import { deliverySettingsSchema } from './delivery-settings';
import { criteriaProblems, durationMs, hoursProblems, openingWeek } from './buyer-contract.schema';
import { closestName } from '../nearest-name';

/** Every issue of a settings value, as `path: message`. */
function problems(settings: unknown): string[] {
  const parsed = deliverySettingsSchema.safeParse(settings);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('buyer contract schema (in the delivery settings)', () => {
  it('accepts a full contract and keeps it as written', () => {
    const when = (v: Readonly<Record<string, unknown>>) => v.state === 'TX';
    const settings = {
      when: { all: [{ field: 'state', in: ['TX', 'OK'] }, { any: [{ field: 'zip', matches: '^7[5-9]' }, { not: { field: 'birth_date', ageLte: 17 } }] }, { field: 'email', present: true }] },
      caps: [{ max: 100, per: 'day', timeZone: 'America/Chicago' }, { max: 10, per: 'hour' }, { max: 1, per: 'week' }, { max: 1000, per: 'month' }],
      onCap: 'hold',
      hours: { timeZone: 'America/Chicago', weekdays: ['08:00-12:00', '12:00-18:00'], sat: ['09:00-13:00'], sun: [], fri: ['20:00-24:00'] },
      outsideHours: 'skip',
      dedupe: { on: ['email', 'phone'], within: '30d', scope: 'campaign' },
      rate: { max: 5, per: '1s' },
      concurrency: 1000,
      breaker: { failures: 3, pause: '500ms' },
      retry: { attempts: 3 },
    };
    expect(deliverySettingsSchema.parse(settings)).toEqual(settings);
    expect(problems({ when })).toEqual([]);
    expect(problems({ breaker: false, concurrency: 1 })).toEqual([]);
    expect(problems({ breaker: {} })).toEqual([]);
    expect(problems({ when: { field: 'n', gte: '2026-01-01' } })).toEqual([]);
    expect(problems({})).toEqual([]);
  });

  describe('when', () => {
    it('needs exactly one operator per condition', () => {
      expect(problems({ when: { field: 'state' } })).toEqual([
        "when: the condition on 'state' has no operator: give exactly one of equals, in, notIn, matches, gt, gte, lt, lte, present, ageGte, ageLte",
      ]);
      expect(problems({ when: { field: 'state', equals: 'TX', in: ['TX'] } })).toEqual([
        "when: the condition on 'state' has 2 operators (equals, in): give exactly one, and combine conditions with all",
      ]);
    });

    it('names an unknown operator and the likely one', () => {
      expect(problems({ when: { field: 'state', equal: 'TX' } })).toEqual([
        "when.equal: unknown operator 'equal' (operators: equals, in, notIn, matches, gt, gte, lt, lte, present, ageGte, ageLte); did you mean 'equals'?",
      ]);
      expect(problems({ when: { field: 'state', equals: 'TX', startsWith: 'T' } })).toEqual([
        "when.startsWith: unknown operator 'startsWith' (operators: equals, in, notIn, matches, gt, gte, lt, lte, present, ageGte, ageLte)",
      ]);
    });

    it('needs a field name', () => {
      expect(problems({ when: { equals: 'TX' } })).toEqual(["when.field: is required: the name of a campaign field, e.g. { field: 'state', equals: 'TX' }"]);
      expect(problems({ when: { field: '', equals: 'TX' } })).toEqual(["when.field: must be the name of a campaign field, e.g. { field: 'state', equals: 'TX' }, not ''"]);
    });

    it('checks combinators and reports problems deep inside at their path', () => {
      expect(problems({ when: { all: [] } })).toEqual(['when.all: must be a list of at least one criterion, not []']);
      expect(problems({ when: { any: 'x' } })).toEqual(["when.any: must be a list of at least one criterion, not 'x'"]);
      expect(problems({ when: { all: [{ field: 'a', equals: 1 }], field: 'b' } })).toEqual([
        "when: mixes 'all', 'field': a criterion is one of all, any, not or a field condition; nest them instead, e.g. { all: [{ field: 'state', equals: 'TX' }, { not: ... }] }",
      ]);
      expect(problems({ when: { all: [{ field: 'a', equals: 1 }, { not: { any: [{ field: 'b', gt: true }] } }] } })).toEqual([
        "when.all.1.not.any.0.gt: must be a number, or a text such as '2026-01-01', not true",
      ]);
      expect(problems({ when: { all: [() => true] } })).toEqual(['when.all.0: a function can only be the whole criterion (when: (lead) => …), not part of all, any or not']);
      expect(problems({ when: 'state = TX' })).toEqual([
        "when: must be a criterion such as { field: 'state', in: ['TX'] }, { all: [...] }, { any: [...] }, { not: ... }, or a function, not 'state = TX'",
      ]);
    });

    it('matches must be a valid regular expression, echoed', () => {
      expect(problems({ when: { field: 'zip', matches: '^7[5-9' } })).toEqual(["when.matches: '^7[5-9' is not a valid regular expression (Unterminated character class)"]);
      expect(problems({ when: { field: 'zip', matches: /^7/i } })).toEqual(["when.matches: must be the regular expression's source as text, e.g. '^7' (without flags), not /^7/i"]);
      expect(problems({ when: { field: 'zip', matches: 7 } })).toEqual(["when.matches: must be a regular expression's source such as '^7[5-9]', not 7"]);
    });

    it('checks each operand, naming the value', () => {
      expect(problems({ when: { field: 'a', equals: null } })).toEqual(['when.equals: null never matches: an empty value fails every operator; test it with { present: false }']);
      expect(problems({ when: { field: 'a', equals: { x: 1 } } })).toEqual(['when.equals: must be a string, number or boolean, not {"x":1}']);
      expect(problems({ when: { field: 'a', in: [] } })).toEqual(["when.in: must be a list of at least one value, e.g. ['TX', 'OK'], not []"]);
      expect(problems({ when: { field: 'a', notIn: ['TX', null, [1]] } })).toEqual([
        'when.notIn.1: null never matches: an empty value fails every operator; test it with { present: false }',
        'when.notIn.2: must be a string, number or boolean, not [1]',
      ]);
      expect(problems({ when: { field: 'a', in: 'TX' } })).toEqual(["when.in: must be a list of at least one value, e.g. ['TX', 'OK'], not 'TX'"]);
      expect(problems({ when: { field: 'a', present: 'yes' } })).toEqual(["when.present: must be true (has a value) or false (is empty), not 'yes'"]);
      expect(problems({ when: { field: 'a', ageGte: 17.5 } })).toEqual(['when.ageGte: must be a whole number from 0 to 150, not 17.5']);
      expect(problems({ when: { field: 'a', ageLte: -1 } })).toEqual(['when.ageLte: must be a whole number from 0 to 150, not -1']);
      expect(problems({ when: { field: 'a', lt: Number.NaN } })).toEqual(["when.lt: must be a number, or a text such as '2026-01-01', not NaN"]);
    });
  });

  describe('caps', () => {
    it('a cap of 0 is an error that says so', () => {
      expect(problems({ caps: [{ max: 0, per: 'day' }] })).toEqual(['caps.0.max: a cap of 0 would send nothing: max must be at least 1 (to stop a delivery, pause it or remove it)']);
    });

    it('max is a whole number of at least 1, per a window, timeZone a zone', () => {
      expect(problems({ caps: [{ max: 2.5, per: 'day' }, { max: -1, per: 'hour' }, { per: 'day' }] })).toEqual([
        'caps.0.max: must be a whole number of at least 1, not 2.5',
        'caps.1.max: must be a whole number of at least 1, not -1',
        'caps.2.max: is required: a whole number of at least 1',
      ]);
      expect(problems({ caps: [{ max: 5, per: 'days' }] })).toEqual(["caps.0.per: must be one of 'hour', 'day', 'week', 'month', not 'days'; did you mean 'day'?"]);
      expect(problems({ caps: [{ max: 5, per: 'fortnight' }] })).toEqual(["caps.0.per: must be one of 'hour', 'day', 'week', 'month', not 'fortnight'"]);
      expect(problems({ caps: [{ max: 5, per: 'day', tz: 'UTC' }] })).toEqual(["caps.0: unknown setting 'tz' (settings: max, per, timeZone)"]);
      expect(problems({ caps: { max: 5, per: 'day' } })).toEqual(['caps: must be a list of caps such as [{ max: 100, per: \'day\' }], not {"max":5,"per":"day"}']);
      expect(problems({ caps: [5] })).toEqual(["caps.0: must be an object such as { max: 100, per: 'day', timeZone: 'America/Chicago' }, not 5"]);
    });

    it('an unknown time zone is echoed with the nearest valid one', () => {
      expect(problems({ caps: [{ max: 5, per: 'day', timeZone: 'America/Chicgo' }] })).toEqual(["caps.0.timeZone: unknown time zone 'America/Chicgo'; did you mean 'America/Chicago'?"]);
      expect(problems({ caps: [{ max: 5, per: 'day', timeZone: 'Chicago' }] })).toEqual(["caps.0.timeZone: unknown time zone 'Chicago'; did you mean 'America/Chicago'?"]);
      expect(problems({ caps: [{ max: 5, per: 'day', timeZone: 'Europe/Berln' }] })).toEqual(["caps.0.timeZone: unknown time zone 'Europe/Berln'; did you mean 'Europe/Berlin'?"]);
      expect(problems({ caps: [{ max: 5, per: 'day', timeZone: 'Central Standard' }] })).toEqual(["caps.0.timeZone: unknown time zone 'Central Standard'"]);
      expect(problems({ caps: [{ max: 5, per: 'day', timeZone: 6 }] })).toEqual(["caps.0.timeZone: must be an IANA time zone such as 'America/Chicago', not 6"]);
    });
  });

  describe('hours', () => {
    it('needs a time zone', () => {
      expect(problems({ hours: { weekdays: ['08:00-18:00'] } })).toEqual(["hours.timeZone: is required: an IANA time zone such as 'America/Chicago'"]);
      expect(problems({ hours: { timeZone: 'America/Chicago ', weekdays: ['08:00-18:00'] } })).toEqual(["hours.timeZone: unknown time zone 'America/Chicago '; did you mean 'America/Chicago'?"]);
    });

    it('each entry is HH:MM-HH:MM, ending after it starts (24:00 allowed as the end)', () => {
      expect(problems({ hours: { timeZone: 'UTC', mon: ['00:00-24:00'], tue: ['23:59-24:00'] } })).toEqual([]);
      expect(problems({ hours: { timeZone: 'UTC', weekdays: ['8:00-18:00', '09:00 - 10:00', '25:00-26:00', '10:60-11:00', '00:00-24:30', '24:00-24:00'] } })).toEqual([
        "hours.weekdays.0: must be a time range 'HH:MM-HH:MM' (24-hour) such as '08:00-18:00', not '8:00-18:00'",
        "hours.weekdays.1: must be a time range 'HH:MM-HH:MM' (24-hour) such as '08:00-18:00', not '09:00 - 10:00'",
        "hours.weekdays.2: '25:00-26:00' is not a time of day: hours run 00–23 (24:00 only as an end), minutes 00–59",
        "hours.weekdays.3: '10:60-11:00' is not a time of day: hours run 00–23 (24:00 only as an end), minutes 00–59",
        "hours.weekdays.4: '00:00-24:30' is not a time of day: hours run 00–23 (24:00 only as an end), minutes 00–59",
        "hours.weekdays.5: '24:00-24:00' is not a time of day: hours run 00–23 (24:00 only as an end), minutes 00–59",
      ]);
      expect(problems({ hours: { timeZone: 'UTC', fri: ['22:00-06:00', '10:00-10:00'] } })).toEqual([
        "hours.fri.0: '22:00-06:00' ends before it starts; a range cannot cross midnight: split it, e.g. mon: ['22:00-24:00'], tue: ['00:00-06:00']",
        "hours.fri.1: '10:00-10:00' ends before it starts; a range cannot cross midnight: split it, e.g. mon: ['22:00-24:00'], tue: ['00:00-06:00']",
      ]);
    });

    it('overlapping ranges within a day are an error; ranges that meet are not', () => {
      expect(problems({ hours: { timeZone: 'UTC', weekdays: ['13:00-18:00', '08:00-13:30'], sat: ['09:00-10:00', '10:00-11:00'] } })).toEqual([
        "hours.weekdays.1: '13:00-18:00' overlaps '08:00-13:30'",
      ]);
    });

    it('rejects unknown day keys, suggesting the day meant', () => {
      expect(problems({ hours: { timeZone: 'UTC', monday: ['08:00-18:00'], weekday: ['08:00-18:00'], holidays: [] } })).toEqual([
        "hours.monday: unknown day 'monday' (days: weekdays, mon, tue, wed, thu, fri, sat, sun); did you mean 'mon'?",
        "hours.weekday: unknown day 'weekday' (days: weekdays, mon, tue, wed, thu, fri, sat, sun); did you mean 'weekdays'?",
        "hours.holidays: unknown day 'holidays' (days: weekdays, mon, tue, wed, thu, fri, sat, sun)",
      ]);
    });

    it('a week that never opens is an error', () => {
      const message = 'hours: opens on no day, so no lead would ever be sent: give weekdays or a day (mon … sun) at least one opening time';
      expect(problems({ hours: { timeZone: 'UTC' } })).toEqual([message]);
      expect(problems({ hours: { timeZone: 'UTC', weekdays: ['08:00-18:00'], mon: [], tue: [], wed: [], thu: [], fri: [] } })).toEqual([message]);
    });

    it('a list is a list; hours are an object', () => {
      expect(problems({ hours: { timeZone: 'UTC', mon: '08:00-18:00' } })).toEqual([
        "hours.mon: must be a list of opening times such as ['08:00-18:00'] (an empty list: closed), not '08:00-18:00'",
      ]);
      expect(problems({ hours: '9 to 5' })).toEqual(["hours: must be delivery hours such as { timeZone: 'America/Chicago', weekdays: ['08:00-18:00'] }, not '9 to 5'"]);
    });
  });

  describe('durations, dedupe, rate, concurrency, breaker', () => {
    it('durations are a whole number and a unit, more than 0', () => {
      expect(problems({ rate: { max: 1, per: '0s' } })).toEqual(["rate.per: must be longer than 0, not '0s'"]);
      expect(problems({ rate: { max: 1, per: '1 second' } })).toEqual([
        "rate.per: must be a whole number and a unit (ms, s, m, h, d) such as '500ms', '1s', '1m', '2h' or '30d', not '1 second'",
      ]);
      expect(problems({ rate: { max: 1, per: 1000 } })).toEqual(["rate.per: must be a whole number and a unit (ms, s, m, h, d) such as '500ms', '1s', '1m', '2h' or '30d', not 1000"]);
    });

    it('dedupe needs fields, a window and a known scope', () => {
      expect(problems({ dedupe: { on: [], within: '30d' } })).toEqual(["dedupe.on: must be a list of at least one field name, e.g. ['email'], not []"]);
      expect(problems({ dedupe: { on: ['email', '', 'email'], within: '30d', scope: 'buyer' } })).toEqual([
        "dedupe.on.1: must be a field name, not ''",
        "dedupe.on.2: lists 'email' twice",
        "dedupe.scope: must be one of 'delivery', 'campaign', not 'buyer'",
      ]);
      expect(problems({ dedupe: { on: ['email'] } })).toEqual([
        "dedupe.within: is required: a whole number and a unit (ms, s, m, h, d) such as '500ms', '1s', '1m', '2h' or '30d'",
      ]);
      expect(problems({ dedupe: { on: 'email', within: '30d' } })).toEqual(["dedupe.on: must be a list of at least one field name, e.g. ['email'], not 'email'"]);
    });

    it('rate: max a whole number of at least 1, per a duration', () => {
      expect(problems({ rate: { max: 0, per: '1s' } })).toEqual(['rate.max: must be a whole number of at least 1, not 0']);
      expect(problems({ rate: { max: 5 } })).toEqual([
        "rate.per: is required: a whole number and a unit (ms, s, m, h, d) such as '500ms', '1s', '1m', '2h' or '30d'",
      ]);
      expect(problems({ rate: 5 })).toEqual(["rate: must be an object such as { max: 5, per: '1s' }, not 5"]);
    });

    it('concurrency: a whole number from 1 to 1000', () => {
      expect(problems({ concurrency: 0 })).toEqual(['concurrency: must be a whole number from 1 to 1000, not 0']);
      expect(problems({ concurrency: 1001 })).toEqual(['concurrency: must be a whole number from 1 to 1000, not 1001']);
      expect(problems({ concurrency: '4' })).toEqual(["concurrency: must be a whole number from 1 to 1000, not '4'"]);
    });

    it('breaker: false or { failures, pause }', () => {
      expect(problems({ breaker: true })).toEqual(["breaker: must be false (off) or { failures: 10, pause: '1m' }, not true"]);
      expect(problems({ breaker: { failures: 0, pause: '1x' } })).toEqual([
        'breaker.failures: must be a whole number of at least 1, not 0',
        "breaker.pause: must be a whole number and a unit (ms, s, m, h, d) such as '500ms', '1s', '1m', '2h' or '30d', not '1x'",
      ]);
      expect(problems({ breaker: { failure: 3 } })).toEqual(["breaker: unknown setting 'failure' (settings: failures, pause); did you mean 'failures'?"]);
    });

    it('onCap and outsideHours: one of their values', () => {
      expect(problems({ onCap: 'wait', outsideHours: 'drop' })).toEqual([
        "onCap: must be one of 'skip', 'hold', not 'wait'",
        "outsideHours: must be one of 'hold', 'skip', not 'drop'",
      ]);
      expect(problems({ onCap: 'holds' })).toEqual(["onCap: must be one of 'skip', 'hold', not 'holds'; did you mean 'hold'?"]);
    });
  });

  it('reports every problem of the settings at once', () => {
    expect(problems({ caps: [{ max: 0, per: 'day' }], concurrency: 0, when: { field: 'zip', matches: '(' }, rate: { max: 1, per: '0ms' } })).toHaveLength(4);
  });
});

describe('the grammar the contracts library compiles', () => {
  it('durationMs', () => {
    expect(durationMs('500ms')).toBe(500);
    expect(durationMs('2h')).toBe(7_200_000);
    expect(durationMs('0s')).toBeUndefined();
    expect(durationMs('1.5s')).toBeUndefined();
  });

  it('openingWeek: Monday first, a day’s entry over weekdays, sorted', () => {
    expect(openingWeek({ timeZone: 'UTC', weekdays: ['13:00-18:00', '08:00-12:00'], wed: ['10:00-11:00'], sat: ['09:00-24:00'] })).toEqual([
      [{ start: 480, end: 720 }, { start: 780, end: 1080 }],
      [{ start: 480, end: 720 }, { start: 780, end: 1080 }],
      [{ start: 600, end: 660 }],
      [{ start: 480, end: 720 }, { start: 780, end: 1080 }],
      [{ start: 480, end: 720 }, { start: 780, end: 1080 }],
      [{ start: 540, end: 1440 }],
      [],
    ]);
  });

  it('criteriaProblems and hoursProblems give paths relative to the value', () => {
    expect(criteriaProblems({ not: { field: 'a' } })).toEqual([{ path: ['not'], message: expect.stringContaining('has no operator') }]);
    expect(hoursProblems({ timeZone: 'UTC', sun: ['x'] })).toEqual([{ path: ['sun', 0], message: expect.stringContaining("not 'x'") }]);
  });

  it('closestName: a likely typo, or nothing', () => {
    expect(closestName('stat', ['email', 'state'])).toBe('state');
    expect(closestName('EMAIL', ['email', 'state'])).toBe('email');
    expect(closestName('emial', ['email', 'state'])).toBe('email');
    expect(closestName('income', ['email', 'state'])).toBeUndefined();
  });
});
