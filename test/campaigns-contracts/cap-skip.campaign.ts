import { defineCampaign, env, field, httpPost } from '@leadrelay/sdk';

/** At most 50 a day; the rest are skipped. */
export default defineCampaign({
  id: 'cap-skip',
  name: 'Cap, skip',
  intakeKeys: ['contracts-key'],
  fields: [field.email('email', { required: true })],
  deliveries: [httpPost({ id: 'buyer', url: env('TEST_BUYER_URL', 'http://127.0.0.1:9/unused'), caps: [{ max: 50, per: 'day' }] })],
});
