import { defineCampaign, field, httpPost, manualFile } from '@leadrelay/sdk';

/** The intake benchmark's campaign: typical fields, one real-time and one on-demand delivery. */
export default defineCampaign({
  id: 'bench',
  name: 'Benchmark',
  intakeKeys: ['bench-key'],
  fields: [
    field.text('first_name', { required: true }),
    field.text('last_name'),
    field.email('email', { required: true }),
    field.phone('phone'),
    field.postalCode('zip', { required: true }),
    field.state('state'),
  ],
  deliveries: [httpPost({ id: 'buyer', url: 'http://127.0.0.1:9/unused' }), manualFile({ id: 'download' })],
});
