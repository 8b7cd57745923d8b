import { defineCampaign, env, field, httpPost } from '@leadrelay/sdk';

/** One buyer that may stop answering, one healthy one: the first must not hold up the second. */
export default defineCampaign({
  id: 'isolation-test',
  name: 'Isolation test',
  intakeKeys: ['contracts-key'],
  fields: [field.email('email', { required: true }), field.text('to', { required: true })],
  deliveries: [
    httpPost({
      id: 'dead',
      url: env('DEAD_BUYER_URL', 'http://127.0.0.1:9/unused'),
      when: { field: 'to', equals: 'dead' },
      timeoutMs: 1_000,
      retry: { attempts: 20, backoff: 'fixed', firstDelayMs: 500 },
      breaker: { failures: 10, pause: '2s' },
    }),
    httpPost({ id: 'healthy', url: env('TEST_BUYER_URL', 'http://127.0.0.1:9/unused'), when: { field: 'to', equals: 'healthy' } }),
  ],
});
