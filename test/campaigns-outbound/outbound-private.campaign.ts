import { defineCampaign, env, field, httpPost } from '@leadrelay/sdk';

/**
 * A buyer on 127.0.0.1 (test/outbound/outbound.e2e-spec.ts): refused with BLOCK_PRIVATE_NETWORKS
 * on, delivered when PRIVATE_NETWORK_ALLOW lets the address through.
 */
export default defineCampaign({
  id: 'outbound-private',
  name: 'Outbound — buyer on a private address',
  intakeKeys: ['outbound-key'],
  fields: [field.email('email', { required: true })],
  deliveries: [httpPost({ id: 'buyer', url: env('OUTBOUND_PRIVATE_URL'), timeoutMs: 2_000, retry: { attempts: 3, firstDelayMs: 200, maxDelayMs: 1_000 } })],
});
