import type { z } from 'zod';
import { definePlugin, emailOptionsSchema, MailError, type BatchFile, type CampaignInfo, type DeliveryResult, type FileColumn, type MailMessage, type OptionProblem, type PluginTools, type RecordedRequest, type ScheduleSpec } from '@leadrelay/sdk/plugin';
import { openAttachment, type PreparedAttachment } from './email.attachment';
import { compileEmailTemplates, throwProblems, type EmailTemplates } from './email.templates';

/** The email delivery's options as the host hands them over: parsed, defaults applied, env() resolved. */
export type EmailPluginOptions = z.output<typeof emailOptionsSchema>;

/** One message's variables: the lead's fields (real time), then the message's own. */
type MessageVariables = Record<string, unknown>;

/**
 * Email delivery: in real time one message per lead, or on a schedule one message per batch with
 * the batch's file attached (zipped when large). The host builds the file with the project's one
 * writer from `fileOptions`, and owns schedules, retries and attempt records.
 */
export const emailPlugin = definePlugin<EmailPluginOptions, EmailTemplates>({
  name: 'email',
  optionsSchema: emailOptionsSchema,

  mode(options) {
    return options.schedule.kind === 'realtime' ? { kind: 'realtime' } : { kind: 'scheduled', schedule: options.schedule };
  },

  fileOptions(options, campaign) {
    const { attachment } = options;
    const fields = attachment.fields ?? campaign.fields.map((f) => f.name);
    // Every listed field gets a column, valued or not: buyers' imports expect a fixed layout.
    const columns: FileColumn[] = [
      ...fields.map((name) => ({ header: name, source: name })),
      { header: 'lead_id', source: 'lead_id' },
      { header: 'received_at', source: 'received_at' },
    ];
    return {
      format: attachment.format,
      quote: attachment.quote,
      header: attachment.header,
      formulaGuard: true,
      fileName: attachment.fileName,
      columns,
    };
  },

  prepare(options, campaign, tools) {
    const problems: OptionProblem[] = [];
    const known = new Set(campaign.fields.map((f) => f.name));
    const seen = new Set<string>();
    options.attachment.fields?.forEach((name, i) => {
      if (!known.has(name)) problems.push({ path: ['attachment', 'fields', i], message: `unknown field '${name}' (campaign fields: ${[...known].join(', ')})` });
      else if (seen.has(name)) problems.push({ path: ['attachment', 'fields', i], message: `field '${name}' is listed twice` });
      seen.add(name);
    });
    if (options.smtpUrl !== undefined && !isSmtpUrl(options.smtpUrl)) {
      // The value is a secret (it may hold a password): say what is wrong without repeating it.
      problems.push({ path: ['smtpUrl'], message: 'must be an smtp:// or smtps:// URL' });
    }
    const templates = compileEmailTemplates(
      { subject: options.subject, text: options.text, html: options.html, fileName: options.attachment.fileName, realtime: options.schedule.kind === 'realtime' },
      campaign,
      tools.templates,
      problems,
    );
    throwProblems(problems);
    return templates!;
  },

  async deliver(input, tools) {
    if (!input.file) throw new Error('the host gave a real-time email no file for its lead');
    const { lead, options, campaign } = input;
    const variables: MessageVariables = {
      ...lead.data,
      ...messageVariables(campaign, options, input.deliveryId, 1, lead.receivedAt, ''),
    };
    return send(options, input.prepared, variables, input.file, { 'X-Leadrelay-Dispatch': input.dispatchId }, lead.receivedAt, tools);
  },

  async deliverBatch(input, tools) {
    const { options, campaign } = input;
    const variables = messageVariables(campaign, options, input.deliveryId, input.leadCount, input.createdAt, input.batchId);
    // The host calls with no leads only when `sendEmpty` is on: say so, attach nothing.
    const file = input.leadCount > 0 ? input.file : undefined;
    return send(options, input.prepared, variables, file, { 'X-Leadrelay-Batch': input.batchId }, input.createdAt, tools);
  },

  async preview(input) {
    const { lead, options, campaign, prepared } = input;
    const realtime = options.schedule.kind === 'realtime';
    // In real time the lead is its own message; on a schedule it is one row of the tick's batch.
    const variables: MessageVariables = {
      ...(realtime ? lead.data : {}),
      ...messageVariables(campaign, options, input.deliveryId, 1, lead.receivedAt, realtime ? '' : '<batch>'),
    };
    const message: MailMessage = { from: options.from, to: options.to, cc: options.cc.length ? options.cc : undefined, bcc: options.bcc.length ? options.bcc : undefined, subject: oneLine(prepared.subject.render(variables)), text: prepared.text.render(variables) };
    const request = recorded(message, undefined);
    request.body = `attachment: ${input.file?.fileName ?? 'none'}\n\n${message.text ?? ''}`;
    return { summary: `email to ${options.to.join(', ')} ${describeSchedule(options.schedule)}`, request, file: input.file };
  },

  summary(options) {
    return `email to ${options.to.join(', ')} ${describeSchedule(options.schedule)}`;
  },
});

async function send(
  options: EmailPluginOptions,
  templates: EmailTemplates,
  variables: MessageVariables,
  file: BatchFile | undefined,
  headers: Record<string, string>,
  madeAt: Date,
  tools: PluginTools,
): Promise<DeliveryResult> {
  const subject = oneLine(templates.subject.render(variables));
  const text = (file ? templates.text : templates.emptyText).render(variables);
  const html = file ? templates.html?.render(variables) : undefined;
  let attachment: PreparedAttachment | undefined;
  if (file) {
    const ext = options.attachment.format;
    // Named in the schedule's time zone: the buyer's day, not the server's.
    const name = safeFileName(templates.fileName.render({ ...variables, ext }), `${variables.campaign}.${ext}`);
    try {
      attachment = await openAttachment(file, name, options.zipOver, madeAt);
    } catch (err) {
      // The file broke before anything was sent (the host's side, e.g. its database): try again later.
      const reason = `the attachment could not be read: ${(err as Error).message}`;
      return { outcome: 'retry', reason, error: reason };
    }
  }
  const message: MailMessage = {
    from: options.from,
    to: options.to,
    cc: options.cc.length ? options.cc : undefined,
    bcc: options.bcc.length ? options.bcc : undefined,
    subject,
    text,
    html,
    headers,
    attachments: attachment ? [{ filename: attachment.filename, contentType: attachment.contentType, content: attachment.content }] : undefined,
  };
  try {
    const receipt = await tools.mail.send(message, smtpUrlOf(options));
    return {
      outcome: 'delivered',
      reference: receipt.messageId,
      request: recorded(message, attachment),
      response: { status: replyCode(receipt.response) ?? 250, headers: {}, body: receipt.response },
    };
  } catch (err) {
    if (!(err instanceof MailError)) throw err;
    const request = recorded(message, attachment);
    const response = err.responseCode ? { status: err.responseCode, headers: {}, body: err.message } : undefined;
    if (err.kind === 'permanent') return { outcome: 'rejected', reason: err.message, request, response };
    return { outcome: 'retry', reason: err.message, request, response, error: response ? undefined : err.message };
  } finally {
    attachment?.dispose();
  }
}

function messageVariables(campaign: CampaignInfo, options: EmailPluginOptions, delivery: string, count: number, at: Date, batch: string): MessageVariables {
  return { campaign: campaign.id, campaignName: campaign.name, delivery, count, date: localDate(at, options.schedule), batch };
}

/** `YYYY-MM-DD` in the schedule's time zone (UTC for `every` and real time): the buyer's day. */
function localDate(at: Date, schedule: ScheduleSpec): string {
  const timeZone = schedule.kind === 'at' || schedule.kind === 'cron' ? schedule.timeZone : 'UTC';
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/** The request as the attempt log shows it: the envelope, subject, attachment and text body. */
function recorded(message: MailMessage, attachment: PreparedAttachment | undefined): RecordedRequest {
  const headers: Record<string, string> = { From: message.from, To: message.to.join(', '), Subject: message.subject };
  if (message.cc) headers.Cc = message.cc.join(', ');
  if (message.bcc) headers.Bcc = message.bcc.join(', ');
  Object.assign(headers, message.headers);
  const about = attachment
    ? attachment.zipped
      ? `attachment: ${attachment.filename} (${attachment.sentBytes()} bytes, zip of ${attachment.fileBytes()} bytes)`
      : `attachment: ${attachment.filename} (${attachment.fileBytes()} bytes)`
    : 'attachment: none';
  return { method: 'EMAIL', url: `mailto:${message.to.join(',')}`, headers, body: `${about}\n\n${message.text ?? ''}` };
}

function smtpUrlOf(options: EmailPluginOptions): string | undefined {
  if (options.smtpUrl === undefined) return undefined;
  // The host resolves env() before options reach a plugin; an EnvRef here would silently send
  // through the default server instead.
  if (typeof options.smtpUrl !== 'string') throw new Error(`smtpUrl env('${options.smtpUrl.name}') was not resolved by the host`);
  return options.smtpUrl;
}

function isSmtpUrl(value: EmailPluginOptions['smtpUrl']): boolean {
  if (typeof value !== 'string') return true; // an env() reference: checked once the host resolves it
  try {
    const url = new URL(value);
    return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
  } catch {
    return false;
  }
}

function replyCode(response: string): number | undefined {
  const m = /^([2-5]\d\d)\b/.exec(response);
  return m ? Number(m[1]) : undefined;
}

/** Subjects are one header line; a lead value with a line break must not fold it. */
function oneLine(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ').trim();
}

/** A lead value may put `/` or control characters into a templated name: keep it one plain name. */
function safeFileName(name: string, fallback: string): string {
  const clean = name.replace(/[\\/\x00-\x1f\x7f]+/g, '_').trim();
  return clean && !/^\.+$/.test(clean) ? clean : fallback;
}

function describeSchedule(schedule: ScheduleSpec): string {
  switch (schedule.kind) {
    case 'realtime':
      return 'in real time, one lead per message';
    case 'every':
      return `every ${schedule.interval}`;
    case 'at':
      return `at ${schedule.times.join(',')} ${schedule.timeZone}`;
    case 'cron':
      return `on cron '${schedule.expression}' ${schedule.timeZone}`;
  }
}
