import { at, defineCampaign, email, field } from '@leadrelay/sdk';

/**
 * 08:00 in Chicago every day, on both sides of a DST change; `sendEmpty` says "no new leads" when
 * a tick finds none. The tests never post leads here.
 */
export default defineCampaign({
  id: 'email-chicago',
  name: 'Email at 08:00 Chicago',
  intakeKeys: ['chicago-key'],
  fields: [field.text('first_name', { required: true }), field.email('email', { required: true })],
  deliveries: [
    email({
      id: 'morning',
      from: 'leads@leadrelay.example',
      to: ['morning@acme.example'],
      subject: '{{count}} new leads for {{date}}',
      schedule: at(['08:00'], 'America/Chicago'),
      sendEmpty: true,
    }),
  ],
});
