import { defineCampaign, field, pingPost } from '@leadrelay/sdk';
import { scriptedBuyer } from './scripted-buyer';

/** One buyer whose posts fail for a while: the sale is retried as a new sale (twice in all). */
export default defineCampaign({
  id: 'pp-retry',
  name: 'Ping-post, retried',
  intakeKeys: ['pp-key'],
  fields: [field.postalCode('zip', { required: true }), field.email('email', { required: true })],
  deliveries: [
    pingPost({
      id: 'auction',
      pingFields: ['zip'],
      pingTimeoutMs: 1_500,
      deadlineMs: 5_000,
      retry: { attempts: 2, backoff: 'fixed', firstDelayMs: 200 },
      buyers: [scriptedBuyer('PR', 'flaky', `{"zip": {{json zip}}}`)],
    }),
  ],
});
