import type { DeliverySettings } from '@leadrelay/sdk';
import { contractProblems } from './contract.problems';

const FIELDS = [{ name: 'email' }, { name: 'state' }, { name: 'birth_date' }, { name: 'zip' }];
const KNOWN = '(campaign fields: email, state, birth_date, zip)';

describe('contractProblems', () => {
  it('finds nothing wrong with a sound contract, in any mode', () => {
    const settings: DeliverySettings = {
      when: { all: [{ field: 'state', in: ['TX'] }, { field: 'birth_date', ageGte: 18 }] },
      caps: [{ max: 100, per: 'day' }],
      dedupe: { on: ['email'], within: '30d' },
    };
    for (const mode of ['realtime', 'scheduled', 'on-demand'] as const) expect(contractProblems(settings, FIELDS, mode)).toEqual([]);
    expect(contractProblems({}, FIELDS, 'realtime')).toEqual([]);
  });

  it('names each unknown field in when, where it is, with the nearest field', () => {
    const settings: DeliverySettings = {
      when: { all: [{ field: 'stat', in: ['TX'] }, { any: [{ field: 'zip', matches: '^7' }, { not: { field: 'birthdate', ageGte: 18 } }] }, { field: 'income', gt: 1 }] },
    };
    expect(contractProblems(settings, FIELDS, 'realtime')).toEqual([
      { path: ['when', 'all', 0, 'field'], message: `unknown field 'stat' ${KNOWN}; did you mean 'state'?` },
      { path: ['when', 'all', 1, 'any', 1, 'not', 'field'], message: `unknown field 'birthdate' ${KNOWN}; did you mean 'birth_date'?` },
      { path: ['when', 'all', 2, 'field'], message: `unknown field 'income' ${KNOWN}` },
    ]);
  });

  it('does not look into a criteria function', () => {
    expect(contractProblems({ when: (v) => v.nope === 1 }, FIELDS, 'realtime')).toEqual([]);
  });

  it('names each unknown field in dedupe.on', () => {
    expect(contractProblems({ dedupe: { on: ['emial', 'zip', 'phone'], within: '30d' } }, FIELDS, 'realtime')).toEqual([
      { path: ['dedupe', 'on', 0], message: `unknown field 'emial' ${KNOWN}; did you mean 'email'?` },
      { path: ['dedupe', 'on', 2], message: `unknown field 'phone' ${KNOWN}` },
    ]);
  });

  it.each(['scheduled', 'on-demand'] as const)('refuses the real-time controls when the delivery is %s', (mode) => {
    const settings: DeliverySettings = {
      caps: [{ max: 10, per: 'day' }],
      onCap: 'hold',
      hours: { timeZone: 'UTC', weekdays: ['08:00-18:00'] },
      outsideHours: 'skip',
      rate: { max: 5, per: '1s' },
      concurrency: 4,
      breaker: false,
    };
    const message = `applies only to real-time deliveries; this one is ${mode}`;
    expect(contractProblems(settings, FIELDS, mode)).toEqual(
      ['hours', 'outsideHours', 'rate', 'concurrency', 'breaker', 'onCap'].map((key) => ({ path: [key], message })),
    );
  });

  it('refuses outsideHours without hours and onCap without caps', () => {
    expect(contractProblems({ outsideHours: 'skip', onCap: 'hold' }, FIELDS, 'realtime')).toEqual([
      { path: ['outsideHours'], message: 'has no effect without hours' },
      { path: ['onCap'], message: 'has no effect without caps' },
    ]);
  });

  it('says once what is wrong with a control that is both misplaced and alone', () => {
    expect(contractProblems({ onCap: 'skip' }, FIELDS, 'scheduled')).toEqual([{ path: ['onCap'], message: 'applies only to real-time deliveries; this one is scheduled' }]);
  });
});
