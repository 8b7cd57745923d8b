import { defineCampaign, field, httpPost } from '@leadrelay/sdk';

/** No manual-file delivery at all (it never receives leads, so nothing is ever posted). */
export default defineCampaign({
  id: 'no-file',
  name: 'No file',
  intakeKeys: ['no-file-key'],
  fields: [field.text('name', { required: true })],
  deliveries: [httpPost({ id: 'crm', url: 'http://127.0.0.1:9/unused' })],
});
