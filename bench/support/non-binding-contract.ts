import type { DeliveryDefinition, DeliverySettings } from '@leadrelay/sdk';

/*
 * A buyer contract with every control declared and none binding, for the "controls declared but
 * not binding cost at most 10 %" runs of B1 and B2 (docs/contracts.md): every benchmark lead
 * passes `when` (an email, state TX), caps and rate sit far above any rate a benchmark reaches,
 * the hours are open all week, and the benchmarks give each lead its own email, so dedupe checks
 * a key on every lead and never finds an earlier one. `concurrency` is the largest allowed (the
 * worker runs 64 sends at once), `breaker` the default written out.
 */

/** What every mode takes: criteria, caps and duplicate keys. */
export const batchControls = {
  when: { all: [{ field: 'email', present: true }, { field: 'state', in: ['TX', 'OK', 'CA'] }] },
  caps: [
    { max: 1_000_000_000, per: 'day' },
    { max: 1_000_000_000, per: 'hour' },
  ],
  dedupe: { on: ['email'], within: '30d' },
} satisfies Pick<DeliverySettings, 'when' | 'caps' | 'dedupe'>;

/** The same, and what only a real-time delivery takes. */
export const realtimeControls = {
  ...batchControls,
  onCap: 'skip',
  hours: { timeZone: 'UTC', weekdays: ['00:00-24:00'], sat: ['00:00-24:00'], sun: ['00:00-24:00'] },
  outsideHours: 'hold',
  rate: { max: 1_000_000, per: '1s' },
  concurrency: 1000,
  breaker: { failures: 10, pause: '1m' },
} satisfies Omit<DeliverySettings, 'retry' | 'sendEmpty'>;

/** A campaign's delivery as it is, plus `controls`: the run with controls differs in nothing else. */
export function withControls<D extends DeliveryDefinition<any, string>>(delivery: D, controls: Omit<DeliverySettings, 'retry' | 'sendEmpty'>): D {
  return { ...delivery, settings: { ...delivery.settings, ...controls } };
}
