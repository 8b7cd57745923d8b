import { defineCampaign, field, manualFile } from '@leadrelay/sdk';

/** One manual-file delivery: a manual delivery may leave `delivery` out. Its file name is not plain ASCII. */
export default defineCampaign({
  id: 'single-file',
  name: 'Single file',
  intakeKeys: ['single-key'],
  fields: [field.text('name', { required: true }), field.email('email', { required: true }), field.text('city')],
  deliveries: [manualFile({ id: 'download', fileName: 'Leads für {{campaign}} — {{date}}.{{ext}}' })],
});
