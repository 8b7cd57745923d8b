import { PluginConfigError, TemplateError, type CampaignInfo, type CompiledTemplate, type OptionProblem, type TemplateEngine, type TemplateEscape } from '@leadrelay/sdk/plugin';

/** Variables every email template sees, next to the campaign's field names. */
export const MESSAGE_VARIABLES = ['campaign', 'campaignName', 'delivery', 'count', 'date', 'batch'] as const;

/** What `prepare` leaves for each send: every template compiled once, at load time. */
export interface EmailTemplates {
  subject: CompiledTemplate;
  /** The author's text body, else a default that fits the kind of message. */
  text: CompiledTemplate;
  html?: CompiledTemplate;
  /** The text of a scheduled batch that found no leads (sent only with `sendEmpty`). */
  emptyText: CompiledTemplate;
  fileName: CompiledTemplate;
}

export interface TemplateSources {
  subject: string;
  text?: string;
  html?: string;
  fileName: string;
  realtime: boolean;
}

/**
 * Compiles every template of an email delivery, collecting every problem before throwing one
 * `PluginConfigError`, so a campaign author sees them all in one deploy.
 */
export function compileEmailTemplates(
  sources: TemplateSources,
  campaign: CampaignInfo,
  engine: TemplateEngine,
  problems: OptionProblem[],
): EmailTemplates | undefined {
  const fieldNames = campaign.fields.map((f) => f.name);
  const variables = [...new Set([...fieldNames, ...MESSAGE_VARIABLES])];
  const compile = (path: (string | number)[], source: string, escape: TemplateEscape, vars: readonly string[] = variables) => {
    try {
      return engine.compile(source, { name: path.join('.'), escape, variables: vars });
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err;
      problems.push({ path, message: err.message });
      return undefined;
    }
  };
  const subject = compile(['subject'], sources.subject, 'text');
  const text = compile(['text'], sources.text ?? defaultText(sources.realtime, fieldNames), 'text');
  const html = sources.html === undefined ? undefined : compile(['html'], sources.html, 'html');
  const emptyText = compile(['text'], 'No new leads for {{campaignName}} since the last email.', 'text');
  const fileName = compile(['attachment', 'fileName'], sources.fileName, 'text', [...variables, 'ext']);
  if (!subject || !text || !emptyText || !fileName || (sources.html !== undefined && !html)) return undefined;
  return { subject, text, html, emptyText, fileName };
}

/** Throws the collected problems, if any. */
export function throwProblems(problems: OptionProblem[]): void {
  if (problems.length) throw new PluginConfigError(problems);
}

/**
 * A body for authors who wrote none. In real time the buyer reads the lead in the message itself
 * (one `name: value` line per field); a batch says how many leads the file holds.
 */
function defaultText(realtime: boolean, fieldNames: string[]): string {
  if (realtime) {
    return ['A new lead for {{campaignName}}:', '', ...fieldNames.map((name) => `${name}: {{${name}}}`), '', 'It is also attached as a file.'].join('\n');
  }
  return 'Leads for {{campaignName}}: {{count}} in the attached file.';
}
