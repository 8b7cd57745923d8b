import { defineCampaign } from '@leadrelay/sdk';
import plain from '../campaigns-delivery/bench-delivery.campaign';
import { realtimeControls, withControls } from '../support/non-binding-contract';

/** B2's campaign again (same id, fields and buyer), its real-time delivery with every control declared, none binding. */
export default defineCampaign({
  ...plain,
  name: 'Benchmark — real-time delivery, controls declared, not binding',
  deliveries: plain.deliveries.map((d) => withControls(d, realtimeControls)),
});
