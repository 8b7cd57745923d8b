import { cron, defineCampaign, email, field } from '@leadrelay/sdk';

/** A scheduled email that never fires by itself (29 February only): the lease tests run it (test/leases). */
export default defineCampaign({
  id: 'batch-lease',
  name: 'Batch lease',
  intakeKeys: ['batch-lease-key'],
  fields: [field.email('email', { required: true })],
  deliveries: [
    email({
      id: 'nightly',
      from: 'leads@leadrelay.example',
      to: ['nightly@acme.example'],
      subject: '{{count}} leads',
      schedule: cron('0 0 29 2 *', 'UTC'),
      retry: { attempts: 3, backoff: 'fixed', firstDelayMs: 60_000 },
    }),
  ],
});
