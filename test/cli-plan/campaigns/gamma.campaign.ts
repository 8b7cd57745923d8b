import { at, defineCampaign, email, field } from '@leadrelay/sdk';

/** A daily email batch: the plan suite moves its time. */
export default defineCampaign({
  id: 'gamma',
  name: 'Gamma',
  intakeKeys: ['gamma-key'],
  fields: [field.email('email', { required: true })],
  deliveries: [email({ id: 'daily', from: 'leads@leadrelay.example', to: ['gamma@acme.example'], subject: '{{count}} leads', schedule: at(['08:00'], 'UTC') })],
});
