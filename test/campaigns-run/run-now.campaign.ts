import { cron, defineCampaign, email, field, manualFile, realtime } from '@leadrelay/sdk';

/**
 * Run a schedule now (docs/api.md): `nightly` is scheduled but never fires on its own while a
 * suite runs (29 February only), so every batch it makes comes from a run or a tick the test
 * drives. `each-lead` and `download` are the deliveries that cannot be run (real-time, on-demand).
 */
export default defineCampaign({
  id: 'run-now',
  name: 'Run now',
  intakeKeys: ['run-key'],
  fields: [field.text('first_name', { required: true }), field.email('email', { required: true })],
  deliveries: [
    email({
      id: 'nightly',
      from: 'leads@leadrelay.example',
      to: ['nightly@acme.example'],
      subject: '{{count}} leads for {{campaignName}}',
      schedule: cron('0 0 29 2 *', 'UTC'),
      retry: { attempts: 3, backoff: 'fixed', firstDelayMs: 300 },
    }),
    email({ id: 'each-lead', from: 'leads@leadrelay.example', to: ['rt@acme.example'], subject: 'New lead {{first_name}}', schedule: realtime }),
    manualFile({ id: 'download' }),
  ],
});
