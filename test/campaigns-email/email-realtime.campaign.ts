import { defineCampaign, email, field, realtime } from '@leadrelay/sdk';

/** Real-time email: one message per lead, through the dispatch queue. */
export default defineCampaign({
  id: 'email-realtime',
  name: 'Email in real time',
  intakeKeys: ['realtime-key'],
  fields: [field.text('first_name', { required: true }), field.text('last_name'), field.email('email', { required: true }), field.phone('phone')],
  deliveries: [
    email({
      id: 'each-lead',
      from: 'leads@leadrelay.example',
      to: ['rt@acme.example'],
      subject: 'New lead: {{first_name}} {{last_name}} for {{campaignName}}',
      schedule: realtime,
      retry: { attempts: 3, backoff: 'fixed', firstDelayMs: 300 },
    }),
  ],
});
