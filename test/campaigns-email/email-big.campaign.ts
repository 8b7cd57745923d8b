import { cron, defineCampaign, email, field } from '@leadrelay/sdk';

/** One very large batch, zipped because it is over `zipOver`; ticks driven by the test. */
export default defineCampaign({
  id: 'email-big',
  name: 'Email big batch',
  intakeKeys: ['big-key'],
  fields: [
    field.text('first_name', { required: true }),
    field.text('last_name'),
    field.email('email', { required: true }),
    field.phone('phone'),
    field.text('address'),
    field.text('city'),
    field.state('state'),
    field.postalCode('zip'),
  ],
  deliveries: [
    email({
      id: 'zipped',
      from: 'leads@leadrelay.example',
      to: ['big@acme.example'],
      subject: '{{count}} leads, zipped',
      zipOver: 1_000_000,
      schedule: cron('0 0 29 2 *', 'UTC'),
    }),
  ],
});
