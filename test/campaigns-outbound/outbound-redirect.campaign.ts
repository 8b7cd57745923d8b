import { basic, defineCampaign, env, field, httpPost, json } from '@leadrelay/sdk';

/**
 * A buyer that redirects to another origin (test/outbound/outbound.e2e-spec.ts): every kind of
 * configured header goes to the first, none of them to the second.
 */
export default defineCampaign({
  id: 'outbound-redirect',
  name: 'Outbound — buyer that redirects',
  intakeKeys: ['outbound-key'],
  fields: [field.email('email', { required: true })],
  deliveries: [
    httpPost({
      id: 'buyer',
      url: env('OUTBOUND_REDIRECT_URL'),
      followRedirects: true,
      auth: basic(env('OUTBOUND_USER'), env('OUTBOUND_PASSWORD')),
      headers: { 'X-Api-Key': env('OUTBOUND_API_KEY'), 'X-Partner': 'partner-literal-1', Cookie: 'buyer_session=s-1', 'User-Agent': 'acme-relay/2' },
      signing: { secret: env('OUTBOUND_SIGNING_SECRET') },
      body: json('{"email": {{json email}}}'),
      timeoutMs: 2_000,
    }),
  ],
});
