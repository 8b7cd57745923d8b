import { defineCampaign, email, env, field, httpPost, realtime } from '@leadrelay/sdk';

/** A real-time buyer and a real-time email: the plan suite edits its URL and turns the email to a schedule. */
export default defineCampaign({
  id: 'alpha',
  name: 'Alpha',
  intakeKeys: ['alpha-key'],
  fields: [field.email('email', { required: true })],
  deliveries: [
    httpPost({ id: 'acme-crm', url: env('ACME_URL') }),
    email({ id: 'mail', from: 'leads@leadrelay.example', to: ['alpha@acme.example'], subject: 'New lead', schedule: realtime }),
  ],
});
