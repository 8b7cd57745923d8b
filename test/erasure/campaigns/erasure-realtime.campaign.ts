import { defineCampaign, env, field, httpPost, leadconduit } from '@leadrelay/sdk';

/**
 * Real-time sends to a test buyer that echoes the lead back (test/erasure): the person's values end
 * up in attempt bodies and in what the classifier captures, and a duplicate key is kept per email.
 * Keeps lead data for 90 days.
 */
export default defineCampaign({
  id: 'erasure-realtime',
  name: 'Erasure real-time',
  intakeKeys: ['erasure-rt-key'],
  fields: [field.text('first_name', { required: true }), field.email('email'), field.phone('phone')],
  deliveries: [
    httpPost({
      id: 'buyer',
      url: env('TEST_BUYER_URL', 'http://127.0.0.1:9/unused'),
      classify: leadconduit({ outcome_search_term: 'success', outcome_search_path: 'result', reason_path: 'reason', capture: { contact: '"email":"([^"]+)"' } }),
      retry: { attempts: 2, firstDelayMs: 200, maxDelayMs: 1_000 },
      dedupe: { on: ['email'], within: '30d' },
      timeoutMs: 2_000,
    }),
  ],
  retention: '90d',
});
