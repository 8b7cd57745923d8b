import { defineCampaign, field, manualFile } from '@leadrelay/sdk';

/**
 * Manual deliveries with nothing to take (test/files/manual-nothing-pending, test/console/manual-result):
 * `download` keeps the default file name; `capped` takes at most 2 leads a day.
 */
export default defineCampaign({
  id: 'manual-test',
  name: 'Manual test',
  intakeKeys: ['manual-key'],
  fields: [field.text('name', { required: true }), field.email('email', { required: true })],
  deliveries: [manualFile({ id: 'download' }), manualFile({ id: 'capped', format: 'tsv', caps: [{ max: 2, per: 'day' }] })],
});
