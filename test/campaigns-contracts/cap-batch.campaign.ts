import { defineCampaign, field, manualFile } from '@leadrelay/sdk';

/** A download capped at 3 leads a day: a manual delivery takes at most what is left. */
export default defineCampaign({
  id: 'cap-batch',
  name: 'Cap on a batch',
  intakeKeys: ['contracts-key'],
  fields: [field.email('email', { required: true })],
  deliveries: [manualFile({ id: 'download', caps: [{ max: 3, per: 'day' }] })],
});
