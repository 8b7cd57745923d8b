import { defineCampaign, delivery, env, field } from '@leadrelay/sdk';

/** Deliveries of plugins defined only in test/plugins: the host must run them as it runs its own. */
export default defineCampaign({
  id: 'plugin-test',
  name: 'Plugins from a test folder',
  intakeKeys: ['plugin-key'],
  fields: [field.text('first_name', { required: true }), field.email('email'), field.postalCode('zip')],
  deliveries: [
    // `retry` is the host's: the plugin's strict schema would refuse it if it were handed over.
    delivery('relay-post', { id: 'relay', url: env('RELAY_URL', 'http://127.0.0.1:9/unused'), retry: { attempts: 3, backoff: 'fixed', firstDelayMs: 200 } }),
    delivery('drop-box', { id: 'drop', folder: env('DROP_FOLDER', '/nonexistent'), retry: { attempts: 2, backoff: 'fixed', firstDelayMs: 200 } }),
  ],
});
