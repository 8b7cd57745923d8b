import { defineCampaign, env, field, httpPost, leadconduit } from '@leadrelay/sdk';

/** A buyer that answers in plain text (`OK` or `REJECTED: why`); the reason is a regular expression's group. */
export default defineCampaign({
  id: 'delivery-text',
  name: 'Delivery — text buyer',
  intakeKeys: ['delivery-key'],
  fields: [field.text('scenario', { required: true }), field.email('email', { required: true }), field.postalCode('zip')],
  deliveries: [
    httpPost({
      id: 'buyer',
      url: env('DELIVERY_TEXT_URL', 'http://127.0.0.1:9/unused'),
      timeoutMs: 500,
      classify: leadconduit({ outcome_search_term: '^OK', reason_path: 'REJECTED: (.+)' }),
      retry: { attempts: 3, firstDelayMs: 200, maxDelayMs: 1_000 },
    }),
  ],
});
