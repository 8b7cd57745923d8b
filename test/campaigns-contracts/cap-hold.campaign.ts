import { defineCampaign, env, field, httpPost } from '@leadrelay/sdk';

/** At most 5 a Chicago day; the rest wait for the next one. */
export default defineCampaign({
  id: 'cap-hold',
  name: 'Cap, hold',
  intakeKeys: ['contracts-key'],
  fields: [field.email('email', { required: true })],
  deliveries: [
    httpPost({ id: 'buyer', url: env('TEST_BUYER_URL', 'http://127.0.0.1:9/unused'), caps: [{ max: 5, per: 'day', timeZone: 'America/Chicago' }], onCap: 'hold' }),
  ],
});
