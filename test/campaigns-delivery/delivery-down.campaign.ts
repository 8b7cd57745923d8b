import { defineCampaign, env, field, httpPost } from '@leadrelay/sdk';

/** A buyer whose server is down: nothing listens on its port. */
export default defineCampaign({
  id: 'delivery-down',
  name: 'Delivery — buyer down',
  intakeKeys: ['delivery-key'],
  fields: [field.text('scenario', { required: true }), field.email('email', { required: true }), field.postalCode('zip')],
  deliveries: [
    httpPost({
      id: 'buyer',
      url: env('DELIVERY_DOWN_URL', 'http://127.0.0.1:9/unused'),
      timeoutMs: 500,
      retry: { attempts: 3, firstDelayMs: 200, maxDelayMs: 1_000 },
    }),
  ],
});
