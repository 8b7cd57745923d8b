import { defineCampaign, email, every, field } from '@leadrelay/sdk';

/** A batch every 2 seconds, fired by the BullMQ job scheduler (R6: once per tick across instances). */
export default defineCampaign({
  id: 'email-every',
  name: 'Email every 2 s',
  intakeKeys: ['every-key'],
  fields: [field.text('first_name', { required: true }), field.email('email', { required: true })],
  deliveries: [
    email({
      id: 'every-2s',
      from: 'leads@leadrelay.example',
      to: ['every@acme.example'],
      subject: '{{count}} leads every 2 s',
      schedule: every('2s'),
      retry: { attempts: 3, backoff: 'fixed', firstDelayMs: 300 },
    }),
  ],
});
