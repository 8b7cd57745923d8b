import { defineCampaign } from '@leadrelay/sdk';
import plain from '../campaigns/bench.campaign';
import { batchControls, realtimeControls, withControls } from '../support/non-binding-contract';

const [buyer, download] = plain.deliveries;

/** B1's campaign again (same id, fields and deliveries), each delivery with every control its mode takes, none binding. */
export default defineCampaign({
  ...plain,
  name: 'Benchmark — controls declared, not binding',
  deliveries: [withControls(buyer, realtimeControls), withControls(download, batchControls)],
});
