import { bearer, defineCampaign, env, field, httpPost, json, leadconduit } from '@leadrelay/sdk';

/** A JSON API buyer with a bearer token from env(). */
export default defineCampaign({
  id: 'delivery-bearer',
  name: 'Delivery — bearer-token buyer',
  intakeKeys: ['delivery-key'],
  fields: [field.text('scenario', { required: true }), field.email('email', { required: true }), field.postalCode('zip')],
  deliveries: [
    httpPost({
      id: 'buyer',
      url: env('DELIVERY_BEARER_URL', 'http://127.0.0.1:9/unused'),
      body: json('{"scenario": {{json scenario}}, "email": {{json email}}}'),
      auth: bearer(env('DELIVERY_BEARER_TOKEN')),
      timeoutMs: 500,
      classify: leadconduit({ outcome_search_term: 'success', outcome_search_path: 'result', reason_path: 'reason' }),
      retry: { attempts: 3, firstDelayMs: 200, maxDelayMs: 1_000 },
    }),
  ],
});
