import { defineCampaign, env, every, field } from '@leadrelay/sdk';
import { sftp } from '@leadrelay/plugins/sftp';

const server = {
  host: '127.0.0.1',
  port: Number(process.env.SFTP_PORT ?? 22),
  username: process.env.SFTP_USER ?? 'leads',
  privateKey: env('SFTP_KEY', 'unset'),
  hostKey: process.env.SFTP_HOST_KEY ?? 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
};

/** SFTP deliveries against the real sshd a test starts: scheduled, on demand, and one with a missing folder. */
export default defineCampaign({
  id: 'sftp-test',
  name: 'SFTP uploads',
  intakeKeys: ['sftp-key'],
  fields: [field.text('first_name', { required: true }), field.email('email', { required: true }), field.postalCode('zip')],
  deliveries: [
    sftp({ id: 'hourly', ...server, path: process.env.SFTP_PATH ?? '/incoming', schedule: every('2s'), retry: { attempts: 20, backoff: 'fixed', firstDelayMs: 500 } }),
    sftp({ id: 'on-request', ...server, path: process.env.SFTP_PATH ?? '/incoming', format: 'tsv', fileName: 'manual-{{batch}}.{{ext}}', retry: { attempts: 20, backoff: 'fixed', firstDelayMs: 500 } }),
    sftp({ id: 'nowhere', ...server, path: process.env.SFTP_MISSING_PATH ?? '/missing', fileName: 'nowhere-{{batch}}.{{ext}}' }),
  ],
});
