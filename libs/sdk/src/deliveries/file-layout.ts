import type { CampaignInfo, FileColumn, FileFormatOptions, OptionProblem } from '../plugin-contract';
import { unknownName } from '../nearest-name';

/** What a file name pattern may refer to; the host fills them in when a batch is made. */
export const FILE_NAME_VARIABLES = ['campaign', 'delivery', 'date', 'time', 'batch', 'ext'] as const;

/** The options of a plugin whose batches are files laid out from the campaign's fields (manual-file, sftp). */
export interface FileLayoutOptions extends FileFormatOptions {
  formulaGuard: boolean;
  fileName: string;
  /** Campaign fields in the file, in this order; every field when absent. */
  fields?: string[];
  /** Campaign field name → column heading. */
  mapping?: Record<string, string>;
}

/** The listed fields (default: all) under their mapped headings, then `lead_id` and `received_at`. */
export function fileColumns(options: Pick<FileLayoutOptions, 'fields' | 'mapping'>, campaign: CampaignInfo): FileColumn[] {
  return [
    ...(options.fields ?? campaign.fields.map((f) => f.name)).map((name) => ({ header: options.mapping?.[name] ?? name, source: name })),
    { header: 'lead_id', source: 'lead_id' },
    { header: 'received_at', source: 'received_at' },
  ];
}

/** A plugin's `fileOptions()` for a file laid out from the campaign's fields. */
export function fileLayout(options: FileLayoutOptions, campaign: CampaignInfo): FileFormatOptions & { columns: FileColumn[]; fileName: string; formulaGuard: boolean } {
  const { format, quote, header, formulaGuard, fileName } = options;
  return { format, quote, header, formulaGuard, fileName, columns: fileColumns(options, campaign) };
}

/**
 * Every problem of a file layout at once, paths relative to the options: fields and mapping name
 * campaign fields, none twice, no two columns share a heading, the file name uses known variables.
 */
export function fileLayoutProblems(options: FileLayoutOptions, campaign: CampaignInfo): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const known = campaign.fields.map((f) => f.name);
  const unknown = (name: string) => unknownName('field', name, known);
  options.fields?.forEach((name, i) => {
    if (!known.includes(name)) problems.push({ path: ['fields', i], message: unknown(name) });
    else if (options.fields!.indexOf(name) < i) problems.push({ path: ['fields', i], message: `field '${name}' is listed twice` });
  });
  for (const name of Object.keys(options.mapping ?? {})) {
    if (!known.includes(name)) problems.push({ path: ['mapping', name], message: unknown(name) });
  }
  if (problems.length === 0) {
    // Two columns under one heading make the file ambiguous for the buyer's import.
    const owner = new Map<string, string>();
    for (const { header, source } of fileColumns(options, campaign)) {
      const other = owner.get(header);
      if (other !== undefined) {
        problems.push({ path: ['mapping', options.mapping?.[source] !== undefined ? source : other], message: `column heading '${header}' is used by both '${other}' and '${source}'` });
      }
      owner.set(header, source);
    }
  }
  for (const match of options.fileName.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
    if (!(FILE_NAME_VARIABLES as readonly string[]).includes(match[1])) {
      problems.push({ path: ['fileName'], message: `unknown variable '{{${match[1]}}}' (known: ${FILE_NAME_VARIABLES.map((v) => `{{${v}}}`).join(', ')})` });
    }
  }
  return problems;
}
