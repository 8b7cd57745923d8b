import { cron, defineCampaign, email, field } from '@leadrelay/sdk';

/**
 * Scheduled email batches whose ticks the tests drive themselves (`BatchDeliveries.tick`): the
 * schedule fires only on 29 February, never while a suite runs. `notes` is a field no test lead
 * fills in, so the header must still name it.
 */
const never = cron('0 0 29 2 *', 'UTC');

export default defineCampaign({
  id: 'email-batch',
  name: 'Email batches <test> & co',
  intakeKeys: ['email-key'],
  fields: [
    field.text('first_name', { required: true }),
    field.text('last_name'),
    field.email('email', { required: true }),
    field.phone('phone'),
    field.postalCode('zip'),
    field.state('state'),
    field.text('notes', { description: 'never filled in by the tests' }),
  ],
  deliveries: [
    email({
      id: 'csv-file',
      from: 'leads@leadrelay.example',
      to: ['buyer@acme.example', 'ops@acme.example'],
      cc: ['audit@acme.example'],
      subject: '{{count}} new leads for {{campaignName}} ({{delivery}}, {{date}})',
      text: 'Batch {{batch}} of {{campaign}}: {{count}} lead(s) attached.',
      html: '<p>{{count}} leads for <b>{{campaignName}}</b></p>',
      attachment: { fileName: '{{campaign}}-{{delivery}}-{{date}}.{{ext}}' },
      schedule: never,
      retry: { attempts: 3, backoff: 'fixed', firstDelayMs: 300 },
    }),
    email({
      id: 'tsv-file',
      from: 'leads@leadrelay.example',
      to: ['tsv@acme.example'],
      subject: 'Leads ({{count}})',
      attachment: { format: 'tsv', header: false },
      schedule: never,
    }),
  ],
});
