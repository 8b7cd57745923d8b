import { defineCampaign, field, pingPost } from '@leadrelay/sdk';
import { scriptedBuyer } from '../campaigns-ping-post/scripted-buyer';

/** One buyer, a fixed margin of 2.5, and a short pingTtlMs (test/pings/pings.e2e-spec.ts). */
export default defineCampaign({
  id: 'pings-fixed',
  name: 'Pings, fixed margin',
  intakeKeys: ['ping-key'],
  fields: [field.postalCode('zip', { required: true }), field.email('email', { required: true })],
  margin: { fixed: 2.5 },
  deliveries: [
    pingPost({
      id: 'auction',
      pingFields: ['zip'],
      pingTimeoutMs: 1_500,
      deadlineMs: 10_000,
      pingTtlMs: 5_000,
      buyers: [scriptedBuyer('PF', 'solo', `{"zip": {{json zip}}}`)],
    }),
  ],
});
