import { cron, defineCampaign, email, field } from '@leadrelay/sdk';

/**
 * B4's campaign: typical fields and one scheduled email batch with the default attachment (CSV,
 * header, zipped over 10 MB). The schedule fires only on 29 February: the benchmark drives ticks.
 */
export default defineCampaign({
  id: 'bench-email',
  name: 'Benchmark email',
  intakeKeys: ['bench-key'],
  fields: [
    field.text('first_name', { required: true }),
    field.text('last_name'),
    field.email('email', { required: true }),
    field.phone('phone'),
    field.postalCode('zip', { required: true }),
    field.state('state'),
  ],
  deliveries: [
    email({
      id: 'batch',
      from: 'leads@leadrelay.example',
      to: ['buyer@acme.example'],
      subject: '{{count}} leads for {{campaignName}}',
      schedule: cron('0 0 29 2 *', 'UTC'),
    }),
  ],
});
