import { defineCampaign, field, manualFile } from '@leadrelay/sdk';

/** A campaign the plan suite adds (not deployed at first). */
export default defineCampaign({
  id: 'delta',
  name: 'Delta',
  intakeKeys: ['delta-key'],
  fields: [field.email('email', { required: true })],
  deliveries: [manualFile({ id: 'download' })],
});
