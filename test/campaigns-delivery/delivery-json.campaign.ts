import { basic, defineCampaign, env, field, httpPost, leadconduit } from '@leadrelay/sdk';

/**
 * The buyer most end-to-end delivery scenarios post to: form-encoded, basic auth and a token header
 * from env(), JSON answers read LeadConduit-style, three quick tries. The test buyer behaves as
 * the lead's `scenario` says.
 */
export default defineCampaign({
  id: 'delivery-json',
  name: 'Delivery — JSON buyer',
  intakeKeys: ['delivery-key'],
  fields: [field.text('scenario', { required: true }), field.email('email', { required: true }), field.postalCode('zip')],
  deliveries: [
    httpPost({
      id: 'buyer',
      url: env('DELIVERY_JSON_URL', 'http://127.0.0.1:9/unused'),
      auth: basic(env('DELIVERY_BUYER_USER'), env('DELIVERY_BUYER_PASSWORD')),
      headers: { 'X-Partner-Token': env('DELIVERY_PARTNER_TOKEN') },
      timeoutMs: 500,
      classify: leadconduit({ outcome_search_term: 'success', outcome_search_path: 'result', reason_path: 'reason', price_path: 'price', reference_path: 'id' }),
      retry: { attempts: 3, firstDelayMs: 200, maxDelayMs: 3_000 },
    }),
  ],
});
