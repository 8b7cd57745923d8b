import * as path from 'node:path';
import { checkCommand } from '../../apps/cli/src/check.command';
import { classifyCommand, previewCommand } from '../../apps/cli/src/preview.command';
import { sink } from '../support/output-sink';

/** The CLI treats the SFTP plugin like any other: its checks, its preview hook, and no classify. */
describe('SFTP deliveries in campaigns:check and the CLI', () => {
  it('campaigns:check reports every mistake of an sftp() delivery as file › path: message', async () => {
    const err = sink();
    expect(await checkCommand(path.resolve('test/fixtures/broken-sftp'), sink().stream, err.stream)).toBe(1);
    const lines = err.text().split('\n').filter((l) => l.includes(' › '));
    const file = 'test/fixtures/broken-sftp/broken-sftp.campaign.ts';
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^${file} › deliveries\\[upload\\]\\.hostKey: .*SHA256`)),
        expect.stringMatching(new RegExp(`^${file} › deliveries\\[upload\\]\\.path: .*absolute`)),
        expect.stringMatching(new RegExp(`^${file} › deliveries\\[upload\\]\\.fields\\[1\\]: unknown field 'zipp'`)),
        `${file} › deliveries[upload].sendEmpty: applies only to scheduled deliveries; this one is on-demand`,
      ]),
    );
    expect(lines).toHaveLength(4);
  });

  it('preview shows where the lead would be uploaded and its row; classify says SFTP reads no buyer response', async () => {
    const env = { SFTP_KEY: '-----BEGIN OPENSSH PRIVATE KEY-----\nunused\n-----END OPENSSH PRIVATE KEY-----' };
    Object.assign(process.env, env);
    try {
      const out = sink();
      const err = sink();
      expect(await previewCommand('test/campaigns-sftp', 'sftp-test', 'on-request', '{"first_name":"Ana","email":"ana@example.com"}', out.stream, err.stream)).toBe(0);
      expect(err.text()).toBe('');
      const lines = out.text().split(/\r?\n/);
      expect(lines[0]).toBe('upload to sftp://leads@127.0.0.1:22/incoming/manual-<batch>.tsv');
      expect(lines).toContain('first_name\temail\tzip\tlead_id\treceived_at');
      const classifyErr = sink();
      expect(await classifyCommand('test/campaigns-sftp', 'sftp-test', 'on-request', '{"status":200}', sink().stream, classifyErr.stream)).toBe(2);
      expect(classifyErr.text()).toBe("classify is not supported by plugin 'sftp': delivery 'on-request' reads no buyer response.\n");
    } finally {
      delete process.env.SFTP_KEY;
    }
  });
});
