import { defineCampaign, env, field, httpPost, leadconduit } from '@leadrelay/sdk';

/** A buyer that answers with an HTML page; the outcome is a phrase on it, the reason a CSS selector. */
export default defineCampaign({
  id: 'delivery-html',
  name: 'Delivery — HTML buyer',
  intakeKeys: ['delivery-key'],
  fields: [field.text('scenario', { required: true }), field.email('email', { required: true }), field.postalCode('zip')],
  deliveries: [
    httpPost({
      id: 'buyer',
      url: env('DELIVERY_HTML_URL', 'http://127.0.0.1:9/unused'),
      timeoutMs: 500,
      classify: leadconduit({ outcome_search_term: 'thank you', reason_path: 'p.error' }),
      retry: { attempts: 3, firstDelayMs: 200, maxDelayMs: 1_000 },
    }),
  ],
});
