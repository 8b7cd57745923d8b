import { defineCampaign, env, field, httpPost } from '@leadrelay/sdk';

/** A call centre open 08:00–18:00 on weekdays, Chicago time; one lead at a time, so order shows. */
export default defineCampaign({
  id: 'hours-test',
  name: 'Hours test',
  intakeKeys: ['contracts-key'],
  fields: [field.email('email', { required: true })],
  deliveries: [
    httpPost({
      id: 'call-centre',
      url: env('TEST_BUYER_URL', 'http://127.0.0.1:9/unused'),
      hours: { timeZone: 'America/Chicago', weekdays: ['08:00-18:00'] },
      concurrency: 1,
    }),
  ],
});
