import { definePlugin, type CampaignInfo, type FileColumn, type OptionProblem, PluginConfigError, type ScheduleSpec } from '@leadrelay/sdk/plugin';
import { sftp, sftpOptionsSchema, type SftpPluginOptions } from './sftp.options';
import { remotePathOf, sftpUrl, uploadBatchFile } from './sftp.upload';

/** What `fileName` may refer to; the host fills them in when a batch is made. */
const FILE_NAME_VARIABLES = ['campaign', 'delivery', 'date', 'time', 'batch', 'ext'];

/** `SHA256:` and 32 bytes in base64 without `=` padding: what `ssh-keygen -l -E sha256` prints. */
const HOST_KEY = /^SHA256:[A-Za-z0-9+/]{43}$/;

function columnsOf(options: SftpPluginOptions, campaign: CampaignInfo): FileColumn[] {
  return [
    ...(options.fields ?? campaign.fields.map((f) => f.name)).map((name) => ({ header: options.mapping?.[name] ?? name, source: name })),
    { header: 'lead_id', source: 'lead_id' },
    { header: 'received_at', source: 'received_at' },
  ];
}

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

  fileOptions(options, campaign) {
    return {
      format: options.format,
      quote: options.quote,
      header: options.header,
      formulaGuard: options.formulaGuard,
      fileName: options.fileName,
      columns: columnsOf(options, campaign),
    };
  },

  prepare(options, campaign) {
    // Every problem at once, so a campaign author fixes the file in one go; secrets never appear.
    const problems: OptionProblem[] = [...columnProblems(options, campaign)];
    for (const match of options.fileName.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
      if (!FILE_NAME_VARIABLES.includes(match[1])) {
        problems.push({ path: ['fileName'], message: `unknown variable '{{${match[1]}}}' (known: ${FILE_NAME_VARIABLES.map((v) => `{{${v}}}`).join(', ')})` });
      }
    }
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

/** Fields and mapping name campaign fields, none twice, and no two columns share a heading. */
function columnProblems(options: SftpPluginOptions, campaign: CampaignInfo): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const known = campaign.fields.map((f) => f.name);
  const unknown = (name: string) => `unknown field '${name}' (campaign fields: ${known.join(', ')})`;
  options.fields?.forEach((name, i) => {
    if (!known.includes(name)) problems.push({ path: ['fields', i], message: unknown(name) });
    else if (options.fields!.indexOf(name) < i) problems.push({ path: ['fields', i], message: `field '${name}' is listed twice` });
  });
  for (const name of Object.keys(options.mapping ?? {})) {
    if (!known.includes(name)) problems.push({ path: ['mapping', name], message: unknown(name) });
  }
  if (problems.length > 0) return problems;
  // Two columns under one heading make the file ambiguous for the buyer's import.
  const owner = new Map<string, string>();
  for (const { header, source } of columnsOf(options, campaign)) {
    const other = owner.get(header);
    if (other !== undefined) problems.push({ path: ['mapping', options.mapping?.[source] !== undefined ? source : other], message: `column heading '${header}' is used by both '${other}' and '${source}'` });
    owner.set(header, source);
  }
  return problems;
}

function describeSchedule(schedule: ScheduleSpec): string {
  if (schedule.kind === 'every') return `every ${schedule.interval}`;
  if (schedule.kind === 'at') return `at ${schedule.times.join(',')} ${schedule.timeZone}`;
  if (schedule.kind === 'cron') return `on cron '${schedule.expression}' ${schedule.timeZone}`;
  return 'in real time';
}
