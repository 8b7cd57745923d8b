import { defineCampaign, env, field, httpPost } from '@leadrelay/sdk';

/** No sale: a ping is accepted when the buyer's criteria and dedupe would let the lead through (test/pings/pings.e2e-spec.ts). */
export default defineCampaign({
  id: 'pings-plain',
  name: 'Pings, no sale',
  intakeKeys: ['ping-key', 'rate-key'],
  fields: [field.state('state', { required: true }), field.email('email', { required: true })],
  deliveries: [
    httpPost({
      id: 'crm',
      url: env('PLAIN_BUYER_URL', 'http://127.0.0.1:9/unused'),
      when: { field: 'state', in: ['TX'] },
      dedupe: { on: ['email'], within: '30d' },
    }),
  ],
});
