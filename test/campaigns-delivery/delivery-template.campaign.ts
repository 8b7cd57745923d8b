import { defineCampaign, env, field, httpPost, json } from '@leadrelay/sdk';

/**
 * A template mistake that only some leads reveal: `zip` written bare, as if it were a number,
 * renders valid JSON for `78701` and invalid JSON for `78701-1234`.
 */
export default defineCampaign({
  id: 'delivery-template',
  name: 'Delivery — broken template',
  intakeKeys: ['delivery-key'],
  fields: [field.text('scenario', { required: true }), field.email('email', { required: true }), field.postalCode('zip')],
  deliveries: [
    httpPost({
      id: 'buyer',
      url: env('DELIVERY_TEMPLATE_URL', 'http://127.0.0.1:9/unused'),
      body: json('{"email": {{json email}},\n "zip": {{zip}}}'),
      timeoutMs: 500,
      retry: { attempts: 3, firstDelayMs: 200, maxDelayMs: 1_000 },
    }),
  ],
});
