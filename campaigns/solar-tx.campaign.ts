import {
  at,
  defineCampaign,
  email,
  env,
  field,
  httpPost,
  json,
  leadconduit,
  manualFile,
} from '@leadrelay/sdk';

/**
 * A realistic buyer set-up: every lead is posted in real time to the buyer's CRM (here the demo
 * buyer that `npm start` serves), emailed twice a day as a CSV, and downloadable by hand.
 */
export default defineCampaign({
  id: 'solar-tx',
  name: 'Solar leads — Texas',
  // In production: env('SOLAR_TX_SOURCE_KEY') with no fallback, so a missing key stops the deploy.
  intakeKeys: [env('SOLAR_TX_SOURCE_KEY', 'demo-source-key')],
  fields: [
    field.text('first_name', { required: true }),
    field.text('last_name'),
    field.email('email', { required: true }),
    field.phone('phone'),
    field.postalCode('zip', { required: true }),
    field.state('state'),
    field.boolean('homeowner', { description: 'Owns the home the panels would go on' }),
    field.number('monthly_bill', { description: 'Average electricity bill, USD' }),
  ],
  deliveries: [
    httpPost({
      id: 'acme-crm',
      url: env('SOLAR_TX_BUYER_URL', 'http://127.0.0.1:3000/demo-buyer/leads'),
      fields: ['first_name', 'last_name', 'email', 'phone', 'zip', 'state'],
      body: json(`{
  "contact": { "first": {{json first_name}}, "last": {{json (default last_name "")}}, "email": {{json email}}, "phone": {{json phone}} },
  "zip": {{json zip}},
  "state": {{json state}},
  "source": "leadrelay"
}`),
      headers: { 'X-Vendor': 'leadrelay' },
      timeoutMs: 10_000,
      classify: leadconduit({
        outcome_search_term: 'success',
        outcome_search_path: 'result',
        reason_path: 'reason',
        price_path: 'price',
        reference_path: 'id',
      }),
      retry: { attempts: 5, firstDelayMs: 2_000 },
    }),
    email({
      id: 'daily-file',
      from: 'leads@leadrelay.example',
      to: ['leads@acme.example'],
      subject: '{{count}} new solar leads — {{campaignName}}',
      text: 'Attached: {{count}} leads received since the last email.',
      schedule: at(['08:00', '15:00'], 'America/Chicago'),
    }),
    manualFile({ id: 'download', format: 'csv' }),
  ],
});
