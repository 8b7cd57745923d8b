import { defineCampaign, env, field, httpPost, leadconduit } from '@leadrelay/sdk';

/** A buyer set up in LeadConduit with `capture.order_id` and `cookie_search_term`, moved over as it was. */
export default defineCampaign({
  id: 'lc-captured',
  name: 'LeadConduit captures',
  intakeKeys: ['delivery-key'],
  fields: [field.email('email', { required: true })],
  deliveries: [
    httpPost({
      id: 'buyer',
      url: env('LC_CAPTURED_BUYER_URL'),
      headers: { 'X-Partner-Token': env('LC_CAPTURED_PARTNER_TOKEN') },
      classify: leadconduit({
        outcome_search_term: 'accepted',
        reason_path: 'Reason: (.*)',
        capture: { order_id: 'Order #(\\d+)', echoed: 'Your token: (\\S+)' },
        cookie_search_term: 'buyer_session',
      }),
      retry: { attempts: 3, firstDelayMs: 200, maxDelayMs: 1_000 },
      timeoutMs: 2_000,
    }),
  ],
});
