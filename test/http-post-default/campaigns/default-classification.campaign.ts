import { defineCampaign, env, field, httpPost } from '@leadrelay/sdk';

/** A buyer delivered to without `classify`: its answers are read the default way. */
export default defineCampaign({
  id: 'default-classification',
  name: 'Delivery — default classification',
  intakeKeys: ['delivery-key'],
  fields: [field.text('scenario', { required: true }), field.email('email', { required: true })],
  deliveries: [
    httpPost({
      id: 'buyer',
      url: env('DEFAULT_CLASSIFICATION_URL', 'http://127.0.0.1:9/unused'),
      timeoutMs: 2_000,
      retry: { attempts: 3, firstDelayMs: 200, maxDelayMs: 2_000 },
    }),
  ],
});
