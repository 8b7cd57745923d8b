import { defineCampaign, env, field, httpPost } from '@leadrelay/sdk';

/**
 * The console's overview and delivery health (test/console/console-overview.e2e-spec.ts): `good`
 * takes Texas leads (others are skipped) and refuses some, `bad` answers 500 to everything, one
 * try each, so three failures open its breaker for the rest of the test.
 */
export default defineCampaign({
  id: 'overview-test',
  name: 'Overview test',
  intakeKeys: ['overview-key'],
  fields: [field.text('first_name', { required: true }), field.email('email', { required: true }), field.text('state', { required: true })],
  deliveries: [
    httpPost({ id: 'good', url: env('GOOD_BUYER_URL', 'http://127.0.0.1:9/unused'), when: { field: 'state', equals: 'TX' }, retry: { attempts: 1 } }),
    httpPost({ id: 'bad', url: env('BAD_BUYER_URL', 'http://127.0.0.1:9/unused'), retry: { attempts: 1 }, breaker: { failures: 3, pause: '10m' } }),
  ],
});
