import * as path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { CampaignDefinition, DeliverySettings } from '@leadrelay/sdk';
import { contractProblems } from '@leadrelay/contracts';
import { campaignSchema } from '@leadrelay/sdk/internal';
import { PluginConfigError, type DeliveryMode, type DeliveryPlugin, type OptionProblem, type PluginTools } from '@leadrelay/sdk/plugin';
import { validateSchedule } from '@leadrelay/schedules';
import { contentHash, formatPath, publicForm, resolveEnv, secretValues } from './campaign-definition';
import { CampaignFileError, listCampaignFiles, loadCampaignModule } from './campaign-file.loader';
import { PluginRegistry } from './plugin.registry';
import type { ResolvedCampaign, ResolvedDelivery } from './resolved-campaign';

export const PLUGIN_TOOLS = Symbol('PLUGIN_TOOLS');

/** Every problem in every campaign file, each as `file › path: message`. */
export class CampaignProblems extends Error {
  constructor(readonly problems: string[]) {
    super(`${problems.length} problem(s) in campaign files:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'CampaignProblems';
  }
}

/** Loads and validates campaign files: the same checks at start and in `campaigns:check`. */
@Injectable()
export class CampaignLoader {
  constructor(
    private readonly plugins: PluginRegistry,
    @Inject(PLUGIN_TOOLS) private readonly tools: PluginTools,
  ) {}

  /** Loads every campaign file in `dir`; throws `CampaignProblems` listing everything wrong. */
  loadAll(dir: string, env: NodeJS.ProcessEnv = process.env): ResolvedCampaign[] {
    const problems: string[] = [];
    const campaigns: ResolvedCampaign[] = [];
    for (const file of listCampaignFiles(dir)) {
      const shown = path.relative(process.cwd(), file) || file;
      const report = (p: readonly (string | number | symbol)[], message: string) => problems.push(`${shown} › ${formatPath(p)}: ${message}`);
      const campaign = this.loadOne(file, env, report);
      if (campaign) campaigns.push(campaign);
    }
    if (problems.length) throw new CampaignProblems(problems);
    return campaigns;
  }

  private loadOne(
    file: string,
    env: NodeJS.ProcessEnv,
    report: (path: readonly (string | number | symbol)[], message: string) => void,
  ): ResolvedCampaign | undefined {
    let exported: unknown;
    try {
      exported = (loadCampaignModule(file, new Map(), (name) => this.plugins.campaignExports(name)) as { default?: unknown }).default;
    } catch (err) {
      report([], err instanceof CampaignFileError ? err.message : String(err));
      return undefined;
    }
    if (!exported) {
      report([], 'the file must `export default defineCampaign({...})`');
      return undefined;
    }
    const parsed = campaignSchema.safeParse(exported);
    if (!parsed.success) {
      // A delivery's host settings sit beside its options in the file: `deliveries[0].caps`, not `….settings.caps`.
      for (const issue of parsed.error.issues) report(issue.path[0] === 'deliveries' && issue.path[2] === 'settings' ? [...issue.path.slice(0, 2), ...issue.path.slice(3)] : issue.path, issue.message);
      return undefined;
    }
    const definition = exported as CampaignDefinition;
    const expectedId = path.basename(file).replace(/\.campaign\.ts$/, '');
    let ok = true;
    if (definition.id !== expectedId) {
      report(['id'], `must equal the file name '${expectedId}'`);
      ok = false;
    }
    const envProblems: OptionProblem[] = [];
    const intakeKeys = resolveEnv(definition.intakeKeys, env, ['intakeKeys'], envProblems) as string[];
    const info = { id: definition.id, name: definition.name, fields: definition.fields };
    const deliveries: ResolvedDelivery[] = [];
    definition.deliveries.forEach((d, index) => {
      const at = (p: readonly (string | number | symbol)[]) => ['deliveries', index, ...p];
      const plugin: DeliveryPlugin | undefined = this.plugins.get(d.plugin);
      if (!plugin) {
        report(at(['plugin']), `unknown plugin '${d.plugin}' (installed: ${this.plugins.names().join(', ')})`);
        ok = false;
        return;
      }
      const before = envProblems.length;
      const fromEnv: { path: (string | number)[]; value: string }[] = [];
      const resolved = resolveEnv(d.options, env, [], envProblems, fromEnv);
      for (const p of envProblems.splice(before)) envProblems.push({ path: at(p.path) as (string | number)[], message: p.message });
      const options = plugin.optionsSchema.safeParse(resolved);
      if (!options.success) {
        for (const issue of options.error.issues) report(at(issue.path), issue.message);
        ok = false;
        return;
      }
      const mode = plugin.mode(options.data);
      if (mode.kind === 'scheduled') {
        for (const message of validateSchedule(mode.schedule)) {
          report(at(['schedule']), message);
          ok = false;
        }
      }
      for (const problem of [...modeProblems(plugin, mode), ...settingsProblems(plugin, mode, d.settings ?? {}, definition.fields)]) {
        report(at(problem.path), problem.message);
        ok = false;
      }
      let prepared: unknown;
      try {
        prepared = plugin.prepare?.(options.data, info, this.tools);
      } catch (err) {
        if (!(err instanceof PluginConfigError)) throw err;
        for (const p of err.problems) report(at(p.path), p.message);
        ok = false;
        return;
      }
      deliveries.push({
        id: d.id,
        pluginName: d.plugin,
        plugin,
        options: options.data,
        settings: d.settings,
        prepared,
        mode,
        summary: plugin.summary?.(options.data) ?? d.plugin,
        secrets: secretValues(fromEnv),
      });
    });
    for (const p of envProblems) report(p.path, p.message);
    if (!ok || envProblems.length) return undefined;
    const publicDefinition = publicForm({
      id: definition.id,
      name: definition.name,
      intakeKeys: definition.intakeKeys,
      fields: definition.fields,
      deliveries: definition.deliveries,
    }) as Record<string, unknown>;
    return {
      ...info,
      file,
      intakeKeys,
      deliveries,
      version: contentHash(publicDefinition),
      publicDefinition,
    };
  }
}

/** A plugin must have the method its mode calls: a delivery the host could never send is a load error. */
function modeProblems(plugin: DeliveryPlugin, mode: DeliveryMode): OptionProblem[] {
  if (mode.kind === 'realtime' && !plugin.deliver) return [{ path: [], message: `plugin '${plugin.name}' delivers in real time but has no deliver()` }];
  if (mode.kind === 'scheduled' && !plugin.deliverBatch) return [{ path: [], message: `plugin '${plugin.name}' delivers on a schedule but has no deliverBatch()` }];
  if (mode.kind !== 'realtime' && !plugin.fileOptions) return [{ path: [], message: `plugin '${plugin.name}' delivers batches but has no fileOptions()` }];
  return [];
}

/**
 * Host settings that could never act on this delivery are mistakes worth naming, and so are
 * buyer-contract fields the campaign does not have (docs/contracts.md › Check).
 */
function settingsProblems(plugin: DeliveryPlugin, mode: DeliveryMode, settings: DeliverySettings, fields: CampaignDefinition['fields']): OptionProblem[] {
  const problems: OptionProblem[] = contractProblems(settings, fields, mode.kind);
  if (settings.sendEmpty !== undefined && mode.kind !== 'scheduled') {
    problems.push({ path: ['sendEmpty'], message: `applies only to scheduled deliveries; this one is ${mode.kind}` });
  }
  if (settings.retry !== undefined && mode.kind === 'on-demand' && !plugin.deliverBatch) {
    problems.push({ path: ['retry'], message: `plugin '${plugin.name}' delivers by download: there is nothing to retry` });
  }
  return problems;
}
