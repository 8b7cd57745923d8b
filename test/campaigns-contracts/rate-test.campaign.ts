import { defineCampaign, env, field, httpPost } from '@leadrelay/sdk';

/** No more than 10 sends started in any second. */
export default defineCampaign({
  id: 'rate-test',
  name: 'Rate test',
  intakeKeys: ['contracts-key'],
  fields: [field.email('email', { required: true })],
  deliveries: [httpPost({ id: 'buyer', url: env('TEST_BUYER_URL', 'http://127.0.0.1:9/unused'), rate: { max: 10, per: '1s' } })],
});
