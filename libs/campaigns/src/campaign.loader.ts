import * as path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { CampaignDefinition, DeliveryDefinition, DeliverySettings } from '@leadrelay/sdk';
import { contractProblems } from '@leadrelay/contracts';
import { campaignSchema, DELIVERY_SETTING_KEYS, deliverySettingsSchema, fieldSchema, unknownName } from '@leadrelay/sdk/internal';
import {
  PluginConfigError,
  type CampaignInfo,
  type DeliveryMode,
  type DeliveryPlugin,
  type OptionProblem,
  type PluginTools,
  type PrepareContext,
} from '@leadrelay/sdk/plugin';
import { loadAuction, salePlugin, type PhaseToLoad, type ResolvedPhase } from './auction.loader';
import { validateSchedule } from '@leadrelay/schedules';
import { contentHash, formatPath, publicForm, resolveEnv, secretFallbacks, secretValues } from './campaign-definition';
import { CampaignFileError, listCampaignFiles, loadCampaignModule } from './campaign-file.loader';
import { describeIssues } from './option-issues';
import { PluginRegistry } from './plugin.registry';
import type { ResolvedCampaign, ResolvedDelivery } from './resolved-campaign';
import { exampleProblems } from './response-examples';

export const PLUGIN_TOOLS = Symbol('PLUGIN_TOOLS');

/** Every problem in every campaign file, each as `file › path: message`. */
export class CampaignProblems extends Error {
  constructor(readonly problems: string[]) {
    super(`${problems.length} problem(s) in campaign files:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'CampaignProblems';
  }
}

export interface LoadOptions {
  /** `check --allow-missing-env`: an unset variable is a warning (and what depends on it is not checked). */
  allowMissingEnv?: boolean;
  /** Receives each warning as `file › path: message`. */
  warn?: (warning: string) => void;
  /** Production mode: an unset variable whose fallback would be a secret counts as unset (secretFallbacks). */
  refuseSecretFallbacks?: boolean;
}

type Path = readonly (string | number | symbol)[];

/** Loads and validates campaign files: the same checks at start and in `campaigns:check`. */
@Injectable()
export class CampaignLoader {
  constructor(
    private readonly plugins: PluginRegistry,
    @Inject(PLUGIN_TOOLS) private readonly tools: PluginTools,
  ) {}

  /**
   * Loads every campaign file in `dir`; throws `CampaignProblems` listing everything wrong in all
   * of them — one mistake never hides another (docs/campaigns.md › Checking campaign files).
   */
  loadAll(dir: string, env: NodeJS.ProcessEnv = process.env, options: LoadOptions = {}): ResolvedCampaign[] {
    const problems: string[] = [];
    const campaigns: ResolvedCampaign[] = [];
    for (const file of listCampaignFiles(dir)) {
      const shown = path.relative(process.cwd(), file) || file;
      const before = problems.length;
      const campaign = this.loadOne(file, env, {
        problem: (where, message) => problems.push(`${shown} › ${where}: ${message}`),
        warning: (where, message) => options.warn?.(`${shown} › ${where}: ${message}`),
        allowMissingEnv: options.allowMissingEnv ?? false,
        refuseSecretFallbacks: options.refuseSecretFallbacks ?? false,
      });
      if (campaign && problems.length === before) campaigns.push(campaign);
    }
    if (problems.length) throw new CampaignProblems(problems);
    return campaigns;
  }

  private loadOne(file: string, env: NodeJS.ProcessEnv, out: FileReport): ResolvedCampaign | undefined {
    let exported: unknown;
    try {
      exported = (loadCampaignModule(file, new Map(), (name) => this.plugins.campaignExports(name)) as { default?: unknown }).default;
    } catch (err) {
      out.problem(formatPath([]), err instanceof CampaignFileError ? err.message : String(err));
      return undefined;
    }
    if (!exported) {
      out.problem(formatPath([]), 'the file must `export default defineCampaign({...})`');
      return undefined;
    }
    const report = new Report(exported, out);
    const parsed = campaignSchema.safeParse(exported);
    const issues = parsed.success ? [] : parsed.error.issues;
    // A delivery's host settings sit beside its options in the file: `deliveries[0].caps`, not `….settings.caps`.
    for (const p of describeIssues(issues, campaignSchema, exported)) report.problem(filePath(p.path), p.message);
    const definition = exported as CampaignDefinition;
    if (!Array.isArray(definition.deliveries) || !Array.isArray(definition.fields)) return undefined;
    // What the schema refused is reported; everything else is still checked, so one run lists all.
    const unusable = new Set(issues.filter((i) => i.path[0] === 'deliveries' && [undefined, 'plugin', 'options', 'auction'].includes(i.path[2] as string)).map((i) => i.path[1]));
    const fields = definition.fields.filter((f) => fieldSchema.safeParse(f).success);

    const expectedId = path.basename(file).replace(/\.campaign\.ts$/, '');
    if (definition.id !== expectedId) report.problem(['id'], `must equal the file name '${expectedId}', not '${String(definition.id)}'`);
    const envProblems: OptionProblem[] = [];
    const intakeKeys = resolveEnv(definition.intakeKeys, env, ['intakeKeys'], envProblems) as string[];
    const info = { id: definition.id, name: definition.name, fields };
    const deliveries: ResolvedDelivery[] = [];
    definition.deliveries.forEach((d, index) => {
      if (unusable.has(index)) return;
      const resolved = this.loadDelivery(d, info, env, path.dirname(file), (p, message) => report.problem(['deliveries', index, ...p], message), envProblems, index);
      if (resolved) deliveries.push(resolved);
    });
    for (const p of envProblems) report.missingEnv(p.path, p.message);
    if (out.refuseSecretFallbacks) for (const p of secretFallbacks(definition, env)) report.missingEnv(p.path, p.message);
    report.flush();
    if (report.failed) return undefined;
    const publicDefinition = publicForm({
      id: definition.id,
      name: definition.name,
      intakeKeys: definition.intakeKeys,
      fields: definition.fields,
      deliveries: definition.deliveries,
      // Left out when unset (publicForm drops undefined): campaigns without it keep their version hash.
      retention: definition.retention,
      margin: definition.margin,
    }) as Record<string, unknown>;
    return { ...info, file, intakeKeys, deliveries, version: contentHash(publicDefinition), publicDefinition, ...(definition.margin ? { margin: definition.margin } : {}) };
  }

  /** One delivery, every check that can run on it; undefined when any failed. */
  private loadDelivery(
    d: DeliveryDefinition<any, string>,
    info: CampaignInfo,
    env: NodeJS.ProcessEnv,
    dir: string,
    problem: (path: Path, message: string) => void,
    envProblems: OptionProblem[],
    index: number,
  ): ResolvedDelivery | undefined {
    let ok = true;
    const fail = (p: Path, message: string) => {
      problem(p, message);
      ok = false;
    };
    const parsedSettings = deliverySettingsSchema.safeParse(d.settings ?? {});
    const settings: DeliverySettings = parsedSettings.success ? parsedSettings.data : {};
    if (d.auction) {
      if (parsedSettings.success) for (const p of settingsProblems(salePlugin(d.plugin), { kind: 'realtime' }, settings, [...info.fields])) fail(p.path, p.message);
      const sale = loadAuction(d, d.auction, info, settings, fail, (phase, at) => this.loadPhase(phase, at, env, fail, envProblems, index));
      return ok && parsedSettings.success ? sale : undefined;
    }
    const loaded = this.pluginOptions(d.plugin, d.options, [], env, fail, envProblems, index);
    if (!loaded) return undefined;
    const { plugin, options } = loaded;
    const mode = plugin.mode(options);
    if (mode.kind === 'scheduled') for (const message of validateSchedule(mode.schedule)) fail(['schedule'], message);
    for (const p of modeProblems(plugin, mode)) fail(p.path, p.message);
    if (parsedSettings.success) for (const p of settingsProblems(plugin, mode, settings, [...info.fields])) fail(p.path, p.message);
    for (const p of exampleProblems(plugin, options, settings.examples ?? [], dir)) fail(p.path, p.message);
    const prepared = this.prepare(plugin, options, info, [], fail);
    if (!ok || !parsedSettings.success) return undefined;
    return {
      id: d.id,
      pluginName: d.plugin,
      plugin,
      options,
      settings: d.settings,
      prepared,
      mode,
      summary: plugin.summary?.(options) ?? d.plugin,
      secrets: loaded.secrets,
    };
  }

  /** A plugin by name and its options: env() resolved (an unset variable noted at its path), parsed by the plugin's schema. */
  private pluginOptions(
    name: string,
    raw: unknown,
    at: (string | number)[],
    env: NodeJS.ProcessEnv,
    fail: (path: Path, message: string) => void,
    envProblems: OptionProblem[],
    index: number,
  ): { plugin: DeliveryPlugin; options: any; secrets: string[] } | undefined {
    const plugin: DeliveryPlugin | undefined = this.plugins.get(name);
    if (!plugin) {
      fail([...at, 'plugin'], unknownName('plugin', name, this.plugins.names(), 'installed'));
      return undefined;
    }
    const fromEnv: { path: (string | number)[]; value: string }[] = [];
    const missing: OptionProblem[] = [];
    const resolved = resolveEnv(raw, env, [], missing, fromEnv);
    for (const p of missing) envProblems.push({ path: ['deliveries', index, ...at, ...p.path], message: p.message });
    const options = parseOptions(plugin, resolved, (p, message) => fail([...at, ...p], message));
    return options === undefined ? undefined : { plugin, options, secrets: secretValues(fromEnv) };
  }

  /** The plugin's load-time work; its problems reported at `at` + their own path. */
  private prepare(
    plugin: DeliveryPlugin,
    options: unknown,
    info: CampaignInfo,
    at: Path,
    fail: (path: Path, message: string) => void,
    context?: PrepareContext,
    problemText: (message: string) => string = (m) => m,
  ): unknown {
    try {
      return plugin.prepare?.(options, info, this.tools, context);
    } catch (err) {
      if (!(err instanceof PluginConfigError)) throw err;
      for (const p of err.problems) fail([...at, ...p.path], problemText(p.message));
      return undefined;
    }
  }

  /** One phase of a sale's buyer (its ping or post): a real-time delivery of the plugin it names. */
  private loadPhase(
    phase: PhaseToLoad,
    at: (string | number)[],
    env: NodeJS.ProcessEnv,
    fail: (path: Path, message: string) => void,
    envProblems: OptionProblem[],
    index: number,
  ): ResolvedPhase | undefined {
    let ok = true;
    const phaseFail = (p: Path, message: string) => {
      fail(p, message);
      ok = false;
    };
    const loaded = this.pluginOptions(phase.plugin, phase.options, at, env, phaseFail, envProblems, index);
    if (!loaded) return undefined;
    const { plugin, options } = loaded;
    const mode = plugin.mode(options);
    if (mode.kind !== 'realtime' || !plugin.deliver) phaseFail(at, `plugin '${plugin.name}' must deliver in real time to ping or post a buyer`);
    const prepared = this.prepare(plugin, options, phase.campaign, at, phaseFail, phase.context, phase.problemText);
    if (!ok) return undefined;
    return { plugin, pluginName: phase.plugin, options, prepared, mode, summary: plugin.summary?.(options) ?? phase.plugin, secrets: loaded.secrets };
  }
}

/**
 * A schema path as the file writes it: a delivery's host settings sit beside its options
 * (`deliveries[0].caps`, not `….settings.caps`), and so do a sale's own options and each buyer's
 * contract and phase options (`deliveries[0].buyers[1].ping.url`, not `….auction.buyers[1].ping.options.url`).
 */
function filePath(path: (string | number)[]): (string | number)[] {
  if (path[0] !== 'deliveries') return path;
  const [, index, part, ...rest] = path;
  if (part === 'settings') return ['deliveries', index, ...rest];
  if (part !== 'auction') return path;
  if (rest[0] !== 'buyers' || rest.length < 3) return ['deliveries', index, ...rest];
  const [, buyer, within, ...inner] = rest;
  if (within === 'settings') return ['deliveries', index, 'buyers', buyer, ...inner];
  if ((within === 'ping' || within === 'post') && inner[0] === 'options') return ['deliveries', index, 'buyers', buyer, within, ...inner.slice(1)];
  return ['deliveries', index, 'buyers', buyer, within, ...inner];
}

/**
 * A plugin's options parsed, every issue reported. Unknown keys are reported and then left out,
 * so the rest of the delivery (templates, selectors, schedules) is still checked in the same run.
 */
function parseOptions(plugin: DeliveryPlugin, resolved: unknown, fail: (path: Path, message: string) => void): any {
  const siblings = ['id', ...DELIVERY_SETTING_KEYS];
  let parsed = plugin.optionsSchema.safeParse(resolved);
  if (parsed.success) return parsed.data;
  for (const p of describeIssues(parsed.error.issues, plugin.optionsSchema, resolved, siblings)) fail(p.path, p.message);
  if (!parsed.error.issues.every((i) => i.code === 'unrecognized_keys')) return undefined;
  parsed = plugin.optionsSchema.safeParse(withoutKeys(resolved, parsed.error.issues as { path: PropertyKey[]; keys: string[] }[]));
  return parsed.success ? parsed.data : undefined;
}

function withoutKeys(value: unknown, issues: readonly { path: PropertyKey[]; keys: string[] }[]): unknown {
  const copy = copyPlain(value);
  for (const issue of issues) {
    let target = copy as Record<PropertyKey, unknown>;
    for (const key of issue.path) target = target?.[key] as Record<PropertyKey, unknown>;
    if (target && typeof target === 'object') for (const key of issue.keys) delete target[key];
  }
  return copy;
}

/** A copy of plain objects and arrays (functions, RegExps and other values shared, not cloned). */
function copyPlain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyPlain);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyPlain(v)]));
  }
  return value;
}

interface FileReport {
  problem(where: string, message: string): void;
  warning(where: string, message: string): void;
  allowMissingEnv: boolean;
  refuseSecretFallbacks: boolean;
}

/**
 * The problems of one file, paths shown with delivery ids (`deliveries[acme-crm].url`). An unset
 * variable is reported once, at its path; what only failed because of it (an empty URL is "not a
 * URL") is not reported again.
 */
class Report {
  failed = false;
  private readonly missing: Path[] = [];
  private readonly deferred: { path: Path; message: string }[] = [];

  constructor(
    private readonly definition: unknown,
    private readonly out: FileReport,
  ) {}

  problem(path: Path, message: string): void {
    this.deferred.push({ path, message });
  }

  /** The env problems come last (they are known only after every delivery resolved). */
  missingEnv(path: Path, message: string): void {
    this.missing.push(path);
    if (this.out.allowMissingEnv) this.out.warning(this.show(path), message);
    else this.emit(path, message);
  }

  /** Reports what was deferred, leaving out what an unset variable explains. */
  flush(): void {
    for (const { path, message } of this.deferred.splice(0)) {
      if (this.missing.some((m) => m.every((part, i) => path[i] === part))) continue;
      this.emit(path, message);
    }
  }

  private emit(path: Path, message: string): void {
    this.failed = true;
    this.out.problem(this.show(path), message);
  }

  private show(path: Path): string {
    return formatPath(path, deliveryIds(this.definition));
  }
}

/** Each delivery's id for paths, where it names one delivery only (a duplicate is shown by its index). */
function deliveryIds(definition: unknown): readonly unknown[] {
  const deliveries = (definition as { deliveries?: unknown } | null)?.deliveries;
  if (!Array.isArray(deliveries)) return [];
  const ids = deliveries.map((d) => (d as { id?: unknown } | null)?.id);
  return ids.map((id) => (ids.indexOf(id) === ids.lastIndexOf(id) ? id : undefined));
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
