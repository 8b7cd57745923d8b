import { defineCampaign, env, field, httpPost } from '@leadrelay/sdk';

/** One real-time buyer, for the lease tests (test/leases). */
export default defineCampaign({
  id: 'lease-test',
  name: 'Lease test',
  intakeKeys: ['lease-key'],
  fields: [field.email('email', { required: true })],
  deliveries: [httpPost({ id: 'buyer', url: env('TEST_BUYER_URL', 'http://127.0.0.1:9/unused'), timeoutMs: 10_000 })],
});
