import { defineCampaign, field, manualFile } from '@leadrelay/sdk';

export default defineCampaign({
  id: 'other',
  name: 'Another campaign (its key must not work on intake-test)',
  intakeKeys: ['other-key'],
  fields: [field.text('name', { required: true })],
  deliveries: [manualFile({ id: 'download' })],
});
