import { cron, defineCampaign, email, field } from '@leadrelay/sdk';

/** A scheduled email with `sendEmpty`: a run with no leads still mails "no new leads". No test posts leads here. */
export default defineCampaign({
  id: 'run-empty',
  name: 'Run now, empty',
  intakeKeys: ['empty-key'],
  fields: [field.text('first_name', { required: true }), field.email('email', { required: true })],
  deliveries: [
    email({
      id: 'morning',
      from: 'leads@leadrelay.example',
      to: ['morning@acme.example'],
      subject: '{{count}} new leads',
      schedule: cron('0 0 29 2 *', 'UTC'),
      sendEmpty: true,
    }),
  ],
});
