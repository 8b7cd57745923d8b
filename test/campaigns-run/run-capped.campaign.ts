import { cron, defineCampaign, email, field } from '@leadrelay/sdk';

/**
 * A scheduled email capped at 2 leads a day (UTC): a run takes at most what the cap leaves. With
 * `sendEmpty`, so that a run under a used-up cap shows it makes no batch ("no new leads" would be untrue).
 */
export default defineCampaign({
  id: 'run-capped',
  name: 'Run now, capped',
  intakeKeys: ['capped-key'],
  fields: [field.text('first_name', { required: true }), field.email('email', { required: true })],
  deliveries: [
    email({
      id: 'capped',
      from: 'leads@leadrelay.example',
      to: ['capped@acme.example'],
      subject: '{{count}} capped leads',
      schedule: cron('0 0 29 2 *', 'UTC'),
      caps: [{ max: 2, per: 'day' }],
      sendEmpty: true,
    }),
  ],
});
