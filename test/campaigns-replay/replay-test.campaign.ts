import { cron, defineCampaign, email, env, field, httpPost, leadconduit } from '@leadrelay/sdk';

/**
 * Search and bulk replay (docs/api.md › Search, › Bulk replay): a buyer the test makes fail or
 * refuse with one try each, and a scheduled email whose batches the test runs itself against an
 * SMTP server that is not there.
 */
export default defineCampaign({
  id: 'replay-test',
  name: 'Replay test',
  intakeKeys: ['replay-key'],
  fields: [field.text('first_name', { required: true }), field.email('email', { required: true }), field.phone('phone')],
  deliveries: [
    httpPost({
      id: 'buyer',
      url: env('TEST_BUYER_URL', 'http://127.0.0.1:9/unused'),
      classify: leadconduit({ outcome_search_term: 'success', outcome_search_path: 'result', reason_path: 'reason' }),
      retry: { attempts: 1 },
      breaker: false,
      timeoutMs: 2_000,
    }),
    email({
      id: 'mail',
      from: 'leads@leadrelay.example',
      to: ['buyer@acme.example'],
      subject: 'Leads ({{count}})',
      schedule: cron('0 0 29 2 *', 'UTC'),
      retry: { attempts: 1 },
    }),
  ],
});
