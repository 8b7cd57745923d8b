import { defineCampaign, field, manualFile } from '@leadrelay/sdk';

/** Leads delivered by download (test/erasure): batch files made again from erased leads. No retention of its own. */
export default defineCampaign({
  id: 'erasure-files',
  name: 'Erasure files',
  intakeKeys: ['erasure-files-key'],
  fields: [field.text('first_name', { required: true }), field.email('email'), field.phone('phone')],
  deliveries: [manualFile({ id: 'download' })],
});
