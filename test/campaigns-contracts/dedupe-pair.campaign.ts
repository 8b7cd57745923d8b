import { defineCampaign, field, manualFile } from '@leadrelay/sdk';

/** Two downloads, each suppressing its own duplicates by a different field: a lead can hold one key and find the other taken. */
export default defineCampaign({
  id: 'dedupe-pair',
  name: 'Dedupe by email and by phone',
  intakeKeys: ['contracts-key'],
  fields: [field.email('email', { required: true }), field.phone('phone', { required: true })],
  deliveries: [manualFile({ id: 'by-email', dedupe: { on: ['email'], within: '30d' } }), manualFile({ id: 'by-phone', dedupe: { on: ['phone'], within: '30d' } })],
});
