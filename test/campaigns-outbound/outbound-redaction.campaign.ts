import { basic, defineCampaign, env, field, httpPost } from '@leadrelay/sdk';

/**
 * Every kind of secret a stored attempt must not show (test/outbound/outbound.e2e-spec.ts): a key
 * in the URL's path and query (the URL from env()), a basic-auth password whose user name equals
 * the User-Agent, a token header, a signing secret. The buyer echoes them all back.
 */
export default defineCampaign({
  id: 'outbound-redaction',
  name: 'Outbound — secrets everywhere',
  intakeKeys: ['outbound-key'],
  fields: [field.email('email', { required: true })],
  deliveries: [
    httpPost({
      id: 'buyer',
      url: env('OUTBOUND_SECRET_URL'),
      auth: basic(env('OUTBOUND_USER'), env('OUTBOUND_PASSWORD')),
      headers: { 'X-Partner-Token': env('OUTBOUND_PARTNER_TOKEN') },
      signing: { secret: env('OUTBOUND_SIGNING_SECRET') },
      timeoutMs: 2_000,
    }),
  ],
});
