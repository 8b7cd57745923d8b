import { defineCampaign, field, pingPost } from '@leadrelay/sdk';
import { scriptedBuyer } from '../campaigns-ping-post/scripted-buyer';

/** Three buyers bidding on zip and state; the source is quoted the best bid less 25 % (test/pings/pings.e2e-spec.ts). */
export default defineCampaign({
  id: 'pings',
  name: 'Pings, percent margin',
  intakeKeys: ['ping-key'],
  fields: [field.postalCode('zip', { required: true }), field.state('state', { required: true }), field.email('email', { required: true })],
  margin: { percent: 25 },
  deliveries: [
    pingPost({
      id: 'auction',
      pingFields: ['zip', 'state'],
      pingTimeoutMs: 1_500,
      deadlineMs: 10_000,
      minBid: 5,
      buyers: ['acme', 'beta', 'gamma'].map((id) => scriptedBuyer('PI', id, `{"zip": {{json zip}}, "state": {{json state}}}`)),
    }),
  ],
});
