import { defineCampaign, env, field, httpPost, leadconduit } from '@leadrelay/sdk';

/** A real-time campaign posting to the test buyer whose URL the test puts in TEST_BUYER_URL. */
export default defineCampaign({
  id: 'realtime-test',
  name: 'Real-time test',
  intakeKeys: ['rt-key'],
  fields: [field.text('first_name', { required: true }), field.email('email', { required: true }), field.postalCode('zip')],
  deliveries: [
    httpPost({
      id: 'buyer',
      url: env('TEST_BUYER_URL', 'http://127.0.0.1:9/unused'),
      classify: leadconduit({ outcome_search_term: 'success', outcome_search_path: 'result', reason_path: 'reason' }),
      retry: { attempts: 3, firstDelayMs: 200, maxDelayMs: 2_000 },
      timeoutMs: 2_000,
    }),
  ],
});
