import { defineCampaign } from '@leadrelay/sdk';
import plain from '../campaigns-delivery/bench-delivery.campaign';

/**
 * B2's campaign again with nothing the host would apply: no control declared, and the two that
 * act by default lifted (`concurrency` as high as allowed, `breaker: false`). What the run with
 * every control declared, none binding, is compared with (bench/delivery.bench.ts).
 */
export default defineCampaign({
  ...plain,
  name: 'Benchmark — real-time delivery, no controls, defaults lifted',
  deliveries: plain.deliveries.map((d) => ({ ...d, settings: { ...d.settings, concurrency: 1000, breaker: false as const } })),
});
