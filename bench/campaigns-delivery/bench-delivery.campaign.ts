import { defineCampaign, env, field, httpPost, leadconduit } from '@leadrelay/sdk';

/** B2's campaign: typical fields, one real-time delivery to the benchmark's buyer (form-encoded, LeadConduit-style answer). */
export default defineCampaign({
  id: 'bench-delivery',
  name: 'Benchmark — real-time delivery',
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
    httpPost({
      id: 'buyer',
      url: env('BENCH_BUYER_URL', 'http://127.0.0.1:3203/leads'),
      classify: leadconduit({ outcome_search_term: 'success', outcome_search_path: 'result', reason_path: 'reason' }),
    }),
  ],
});
