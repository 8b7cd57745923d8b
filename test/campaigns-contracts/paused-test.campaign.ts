import { defineCampaign, env, field, httpPost, manualFile } from '@leadrelay/sdk';

/** For pause and resume, real-time and on-demand. */
export default defineCampaign({
  id: 'paused-test',
  name: 'Pause test',
  intakeKeys: ['contracts-key'],
  fields: [field.email('email', { required: true })],
  deliveries: [httpPost({ id: 'buyer', url: env('TEST_BUYER_URL', 'http://127.0.0.1:9/unused') }), manualFile({ id: 'download' })],
});
