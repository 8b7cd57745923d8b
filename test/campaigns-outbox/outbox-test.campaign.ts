import { defineCampaign, env, field, httpPost, leadconduit } from '@leadrelay/sdk';

/** A real-time buyer for the outbox suite; a retry waits ten minutes, so a backlog stays delayed. */
export default defineCampaign({
  id: 'outbox-test',
  name: 'Outbox test',
  intakeKeys: ['outbox-key'],
  fields: [field.email('email', { required: true })],
  deliveries: [
    httpPost({
      id: 'buyer',
      url: env('TEST_BUYER_URL', 'http://127.0.0.1:9/unused'),
      classify: leadconduit({ outcome_search_term: 'success', outcome_search_path: 'result' }),
      retry: { attempts: 5, firstDelayMs: 600_000, maxDelayMs: 600_000 },
      // The suite wants a backlog of delayed retries, not one held by an open breaker.
      breaker: false,
      timeoutMs: 2_000,
    }),
  ],
});
