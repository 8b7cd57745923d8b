import { definePlugin, fileLayout, fileLayoutProblems, PluginConfigError, type OptionProblem, type ScheduleSpec } from '@leadrelay/sdk/plugin';
import { sftp, sftpOptionsSchema, type SftpPluginOptions } from './sftp.options';
import { remotePathOf, sftpUrl, uploadBatchFile } from './sftp.upload';

/** `SHA256:` and 32 bytes in base64 without `=` padding: what `ssh-keygen -l -E sha256` prints. */
const HOST_KEY = /^SHA256:[A-Za-z0-9+/]{43}$/;

/**
 * SFTP delivery: batches, on a schedule or on demand, uploaded as files to the buyer's server.
 * The host claims the leads and writes the file with the project's one writer (libs/files) from
 * `fileOptions`; the plugin only moves it, and reads no buyer response (no `classify`).
 */
export const sftpPlugin = definePlugin<SftpPluginOptions>({
  name: 'sftp',
  optionsSchema: sftpOptionsSchema,
  campaignExports: { sftp },

  mode(options) {
    return options.schedule ? { kind: 'scheduled', schedule: options.schedule } : { kind: 'on-demand' };
  },

  fileOptions: fileLayout,

  prepare(options, campaign) {
    // Every problem at once, so a campaign author fixes the file in one go; secrets never appear.
    const problems: OptionProblem[] = fileLayoutProblems(options, campaign);
    if (options.password === undefined && options.privateKey === undefined) problems.push({ path: ['password'], message: 'give password or privateKey to log in with' });
    if (options.password !== undefined && options.privateKey !== undefined) problems.push({ path: ['privateKey'], message: 'give password or privateKey, not both' });
    if (options.passphrase !== undefined && options.privateKey === undefined) problems.push({ path: ['passphrase'], message: 'passphrase is only used with privateKey' });
    if (typeof options.privateKey === 'string' && !/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(options.privateKey)) {
      problems.push({ path: ['privateKey'], message: 'must be a PEM private key (text starting -----BEGIN … PRIVATE KEY-----)' });
    }
    if (!HOST_KEY.test(options.hostKey)) {
      const padded = /^SHA256:[A-Za-z0-9+/]{43}=$/.test(options.hostKey) ? " without the trailing '='" : '';
      problems.push({ path: ['hostKey'], message: `must be the server's key fingerprint as \`ssh-keygen -l -E sha256\` prints it: SHA256: and 43 base64 characters${padded}` });
    }
    if (!options.path.startsWith('/')) problems.push({ path: ['path'], message: `must be an absolute remote folder, e.g. '/${options.path.replace(/^\.?\/*/, '')}'` });
    if (problems.length > 0) throw new PluginConfigError(problems);
  },

  deliverBatch(input, tools) {
    return uploadBatchFile(input.options, input.file, input.leadCount, tools);
  },

  async preview(input) {
    const name = input.file?.fileName ?? input.options.fileName;
    return { summary: `upload to ${sftpUrl(input.options, remotePathOf(input.options, name))}`, file: input.file };
  },

  summary(options) {
    return `SFTP upload to ${options.username}@${options.host}:${options.port}${options.path} ${options.schedule ? describeSchedule(options.schedule) : 'on demand'}`;
  },
});

function describeSchedule(schedule: ScheduleSpec): string {
  if (schedule.kind === 'every') return `every ${schedule.interval}`;
  if (schedule.kind === 'at') return `at ${schedule.times.join(',')} ${schedule.timeZone}`;
  if (schedule.kind === 'cron') return `on cron '${schedule.expression}' ${schedule.timeZone}`;
  return 'in real time';
}
