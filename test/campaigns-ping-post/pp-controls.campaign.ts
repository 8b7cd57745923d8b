import { defineCampaign, field, pingPost } from '@leadrelay/sdk';
import { scriptedBuyer } from './scripted-buyer';

const buyer = (id: string) => scriptedBuyer('PC', id, `{"zip": {{json zip}}}`);

/** Buyers held to their own contracts: one takes Texas only, one at most one lead a day. */
export default defineCampaign({
  id: 'pp-controls',
  name: 'Ping-post, buyer contracts',
  intakeKeys: ['pp-key'],
  fields: [field.postalCode('zip', { required: true }), field.state('state', { required: true }), field.email('email', { required: true })],
  deliveries: [
    pingPost({
      id: 'auction',
      pingFields: ['zip'],
      pingTimeoutMs: 1_500,
      deadlineMs: 10_000,
      buyers: [{ ...buyer('texas'), when: { field: 'state', in: ['TX'] } }, { ...buyer('capped'), caps: [{ max: 1, per: 'day' }] }, buyer('open')],
    }),
  ],
});
