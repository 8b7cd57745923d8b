import { defineCampaign, field, pingPost } from '@leadrelay/sdk';
import { scriptedBuyer } from './scripted-buyer';

/** Five buyers, each its own server, pinged with zip and state (test/ping-post/ping-post.e2e-spec.ts). */
export default defineCampaign({
  id: 'ping-post',
  name: 'Ping-post',
  intakeKeys: ['pp-key'],
  fields: [field.postalCode('zip', { required: true }), field.state('state', { required: true }), field.email('email', { required: true })],
  deliveries: [
    pingPost({
      id: 'auction',
      pingFields: ['zip', 'state'],
      pingTimeoutMs: 1_500,
      deadlineMs: 10_000,
      minBid: 5,
      pick: 'highest',
      buyers: ['acme', 'beta', 'gamma', 'delta', 'eps'].map((id) => scriptedBuyer('PP', id, `{"zip": {{json zip}}, "state": {{json state}}}`)),
    }),
  ],
});
