import { defineCampaign, env, field, httpPost } from '@leadrelay/sdk';

/** The same person (by email) at most once in 30 days. */
export default defineCampaign({
  id: 'dedupe-test',
  name: 'Dedupe test',
  intakeKeys: ['contracts-key'],
  fields: [field.email('email', { required: true })],
  deliveries: [httpPost({ id: 'buyer', url: env('TEST_BUYER_URL', 'http://127.0.0.1:9/unused'), dedupe: { on: ['email'], within: '30d' } })],
});
