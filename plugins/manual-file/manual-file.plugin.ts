import type { z } from 'zod';
import { definePlugin, fileLayout, fileLayoutProblems, manualFileOptionsSchema, PluginConfigError } from '@leadrelay/sdk/plugin';

/** The manual-file delivery's options as the host hands them over: parsed, defaults applied. */
export type ManualFilePluginOptions = z.output<typeof manualFileOptionsSchema>;

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

  fileOptions: fileLayout,

  prepare(options, campaign) {
    // Every problem at once, so a campaign author fixes the file in one go.
    const problems = fileLayoutProblems(options, campaign);
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
