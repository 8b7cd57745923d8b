import { defineCampaign, env, field, httpPost, leadconduit } from '@leadrelay/sdk';

/** Many leads to one buyer, for the reliability suites (worker killed, Redis flushed, graceful stop). */
export default defineCampaign({
  id: 'delivery-load',
  name: 'Delivery — load',
  intakeKeys: ['delivery-key'],
  fields: [field.text('scenario', { required: true }), field.email('email', { required: true }), field.postalCode('zip')],
  deliveries: [
    httpPost({
      id: 'buyer',
      url: env('DELIVERY_LOAD_URL', 'http://127.0.0.1:9/unused'),
      timeoutMs: 5_000,
      classify: leadconduit({ outcome_search_term: 'success', outcome_search_path: 'result', reason_path: 'reason' }),
      retry: { attempts: 5, firstDelayMs: 200, maxDelayMs: 1_000 },
      // Retries here are the test's own doing (503 once, Redis flushed): the breaker would pause the buyer.
      breaker: false,
    }),
  ],
});
