import type { z } from 'zod';
import { definePlugin, manualFileOptionsSchema, PluginConfigError, type CampaignInfo, type FileColumn, type OptionProblem } from '@leadrelay/sdk/plugin';

/** The manual-file delivery's options as the host hands them over: parsed, defaults applied. */
export type ManualFilePluginOptions = z.output<typeof manualFileOptionsSchema>;

/** What `fileName` may refer to; the host fills them in when a batch is made. */
const FILE_NAME_VARIABLES = new Set(['campaign', 'delivery', 'date', 'time', 'batch', 'ext']);

function fieldNames(options: ManualFilePluginOptions, campaign: CampaignInfo): string[] {
  return options.fields ?? campaign.fields.map((f) => f.name);
}

function columnsOf(options: ManualFilePluginOptions, campaign: CampaignInfo): FileColumn[] {
  return [
    ...fieldNames(options, campaign).map((name) => ({ header: options.mapping?.[name] ?? name, source: name })),
    { header: 'lead_id', source: 'lead_id' },
    { header: 'received_at', source: 'received_at' },
  ];
}

/**
 * Manual delivery: pending leads wait until a person downloads them as a CSV/TSV file, which
 * delivers them. The plugin only describes the file; the host claims the leads, makes the batch
 * and writes the file with the project's one writer (libs/files), so there is no `deliver` here.
 */
export const manualFilePlugin = definePlugin<ManualFilePluginOptions>({
  name: 'manual-file',
  optionsSchema: manualFileOptionsSchema,

  mode() {
    return { kind: 'on-demand' };
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
    // Every problem at once, so a campaign author fixes the file in one go.
    const problems: OptionProblem[] = [];
    const known = new Set(campaign.fields.map((f) => f.name));
    const unknown = (name: string) => `unknown field '${name}' (campaign fields: ${[...known].join(', ')})`;
    const listed = new Set<string>();
    options.fields?.forEach((name, i) => {
      if (!known.has(name)) problems.push({ path: ['fields', i], message: unknown(name) });
      else if (listed.has(name)) problems.push({ path: ['fields', i], message: `field '${name}' is listed twice` });
      listed.add(name);
    });
    for (const name of Object.keys(options.mapping ?? {})) {
      if (!known.has(name)) problems.push({ path: ['mapping', name], message: unknown(name) });
    }
    if (problems.length === 0) {
      // Two columns under one heading make the file ambiguous for the buyer's import.
      const seen = new Map<string, string>();
      for (const column of columnsOf(options, campaign)) {
        const other = seen.get(column.header);
        if (other !== undefined) {
          const path = options.mapping?.[column.source] !== undefined ? ['mapping', column.source] : ['mapping', other];
          problems.push({ path, message: `column heading '${column.header}' is used by both '${other}' and '${column.source}'` });
        }
        seen.set(column.header, column.source);
      }
    }
    for (const match of options.fileName.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
      if (!FILE_NAME_VARIABLES.has(match[1])) {
        problems.push({ path: ['fileName'], message: `unknown variable '{{${match[1]}}}' (known: ${[...FILE_NAME_VARIABLES].map((v) => `{{${v}}}`).join(', ')})` });
      }
    }
    if (problems.length > 0) throw new PluginConfigError(problems);
  },

  async preview(input) {
    return { summary: `the lead waits for a manual download (${input.file?.fileName ?? 'a file'}), which delivers it`, file: input.file };
  },

  summary(options) {
    const fields = options.fields ? `fields ${options.fields.join(', ')}` : 'every field';
    const header = options.header ? 'with a header row' : 'without a header row';
    const quote = options.quote === 'all' ? 'every value quoted' : 'quoted where needed';
    return `manual ${options.format.toUpperCase()} download, ${header}, ${quote}, ${fields}${options.formulaGuard ? '' : ', formula guard off'}`;
  },
});
