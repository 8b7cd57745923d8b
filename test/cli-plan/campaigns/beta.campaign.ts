import { defineCampaign, field, manualFile } from '@leadrelay/sdk';

/** A campaign the plan suite removes. */
export default defineCampaign({
  id: 'beta',
  name: 'Beta',
  intakeKeys: ['beta-key'],
  fields: [field.email('email', { required: true })],
  deliveries: [manualFile({ id: 'download' })],
});
