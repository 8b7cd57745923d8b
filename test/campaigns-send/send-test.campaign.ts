import { bearer, defineCampaign, env, field, httpPost, json, leadconduit, manualFile } from '@leadrelay/sdk';

/**
 * For `cli send` (test/cli-send.e2e-spec.ts): a delivery with a test endpoint and every kind of
 * secret (bearer token, signing secret, a header from env()), one without a test endpoint, and
 * one that sends no request at all. The test puts the buyers' URLs and the secrets in the env.
 */
export default defineCampaign({
  id: 'send-test',
  name: 'Send test',
  intakeKeys: ['send-key'],
  fields: [field.text('first_name', { required: true }), field.email('email', { required: true }), field.postalCode('zip')],
  deliveries: [
    httpPost({
      id: 'buyer',
      url: env('SEND_LIVE_URL'),
      testUrl: env('SEND_TEST_URL'),
      auth: bearer(env('SEND_TOKEN')),
      headers: { 'x-partner': env('SEND_PARTNER') },
      signing: { secret: env('SEND_SIGNING_SECRET') },
      body: json('{"first": {{json first_name}}, "email": {{json email}}, "zip": {{json zip}}, "lead": {{json lead_id}}}'),
      classify: leadconduit({ outcome_search_term: 'success', outcome_search_path: 'result', reason_path: 'reason', price_path: 'price', reference_path: 'id' }),
    }),
    httpPost({ id: 'no-test-url', url: env('SEND_LIVE_URL') }),
    manualFile({ id: 'download' }),
  ],
});
