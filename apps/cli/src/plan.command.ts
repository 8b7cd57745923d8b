import * as path from 'node:path';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import { CampaignLoader, CampaignProblems, campaignsToArchive, needsUpdate, publicForm, storedDefinition, type ResolvedCampaign } from '@leadrelay/campaigns';
import { createLogger } from '@leadrelay/config';
import { databaseName, MIGRATIONS } from '@leadrelay/persistence';
import { CliModule } from './cli.module';

/** A campaign row as a deploy finds it. */
interface StoredCampaign {
  id: string;
  name: string;
  version: string;
  archived: boolean;
  definition: StoredDefinition;
}

interface StoredDelivery {
  id: string;
  plugin: string;
  mode: string;
  schedule?: unknown;
  options?: Record<string, unknown>;
  controls?: Record<string, unknown>;
}

type StoredDefinition = Record<string, unknown> & { deliveries?: StoredDelivery[] };

/** What the database holds that a deploy compares with the files, read in one snapshot. */
interface Deployed {
  campaigns: StoredCampaign[];
  /** `campaign/delivery` → leads still waiting for that delivery (pending, in no batch yet). */
  pending: Map<string, number>;
  migrationsToRun: string[];
}

/** The database cannot be read as a deployed leadrelay database: said once, exit 1. */
class DatabaseUnreadable extends Error {}

/** One line of a diff: added, removed or changed `at` an option's path or a `campaign/delivery`. */
interface Change {
  sign: '+' | '-' | '~';
  at: string;
  before?: unknown;
  after?: unknown;
}

interface ModeChange {
  key: string;
  before: string;
  after: string;
  pending: number;
}

interface Plan {
  migrationsToRun: string[];
  added: ResolvedCampaign[];
  changed: { campaign: ResolvedCampaign; row: StoredCampaign; options: Change[] }[];
  archived: StoredCampaign[];
  schedules: Change[];
  modeChanges: ModeChange[];
}

/**
 * `plan`: what a deploy of these campaign files would change in the database at `databaseUrl`,
 * compared the way the applier compares (docs/campaigns.md › plan). Read-only: one read-only
 * transaction, never a migration. Exit 0 no changes, 2 changes, 1 problems or database errors.
 */
export async function planCommand(
  dir: string,
  databaseUrl: string,
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let campaigns: ResolvedCampaign[];
  try {
    campaigns = await loadCampaigns(dir, env);
  } catch (e) {
    if (!(e instanceof CampaignProblems)) throw e;
    for (const problem of e.problems) err.write(`${problem}\n`);
    err.write(`\n${e.problems.length} problem(s) found; no plan.\n`);
    return 1;
  }
  let deployed: Deployed;
  try {
    deployed = await readDeployed(databaseUrl);
  } catch (e) {
    if (!(e instanceof DatabaseUnreadable)) throw e;
    err.write(`${e.message}\n`);
    return 1;
  }
  const plan = planChanges(campaigns, deployed);
  out.write(`Plan for ${dir} against ${whereIs(databaseUrl)} (read-only)\n\n`);
  if (!changeCount(plan)) {
    out.write(`No changes: the database matches the campaign files (${campaigns.length} campaign(s)).\n`);
    return 0;
  }
  writePlan(plan, out);
  return 2;
}

/** The same loading and checks as a start, without a database. */
async function loadCampaigns(dir: string, env: NodeJS.ProcessEnv): Promise<ResolvedCampaign[]> {
  const app = await NestFactory.createApplicationContext(CliModule.forRoot(createLogger('silent')), { logger: false });
  try {
    return app.get(CampaignLoader).loadAll(path.resolve(dir), env);
  } finally {
    await app.close();
  }
}

/** `host:port/database`, never the password a URL may carry; a URL that names none is an error. */
function whereIs(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}/${databaseName(url)}`;
  } catch (e) {
    throw new DatabaseUnreadable(`DATABASE_URL is not a usable PostgreSQL URL (${(e as Error).message}).`);
  }
}

/**
 * Reads the campaigns (as the applier does: every row), the leads waiting per delivery and the
 * migrations not yet run, in one read-only snapshot; a session that is read-only by default
 * besides, so nothing here can write.
 */
async function readDeployed(url: string): Promise<Deployed> {
  whereIs(url);
  const client = new Client({ connectionString: url, options: '-c default_transaction_read_only=on' });
  try {
    await client.connect();
  } catch (e) {
    throw new DatabaseUnreadable(connectProblem(url, e));
  }
  try {
    await client.query('begin transaction isolation level repeatable read, read only');
    await requireTables(client, url);
    const campaigns = (await client.query<StoredCampaign>('select id, name, version, archived, definition from campaign order by id')).rows;
    const pending = await client.query<{ key: string; n: number }>(
      `select campaign_id || '/' || delivery_id as key, count(*)::int as n from dispatch
        where status = 'pending' and batch_id is null group by campaign_id, delivery_id`,
    );
    const ran = new Set((await client.query<{ name: string }>('select name from mikro_orm_migrations')).rows.map((r) => r.name));
    await client.query('rollback');
    return {
      campaigns,
      pending: new Map(pending.rows.map((r) => [r.key, r.n])),
      migrationsToRun: MIGRATIONS.map((m) => m.name).filter((name) => !ran.has(name)),
    };
  } catch (e) {
    if (e instanceof DatabaseUnreadable) throw e;
    throw new DatabaseUnreadable(`Cannot read ${whereIs(url)}: ${(e as Error).message}`);
  } finally {
    await client.end();
  }
}

function connectProblem(url: string, e: unknown): string {
  if ((e as { code?: string }).code === '3D000') {
    return `Database ${whereIs(url)} does not exist: nothing has been deployed there (plan never creates it; \`cli migrate\` or a start does).`;
  }
  return `Cannot connect to ${whereIs(url)}: ${(e as Error).message}`;
}

/** A database without our tables was never migrated: there is nothing to compare with. */
async function requireTables(client: Client, url: string): Promise<void> {
  const wanted = ['campaign', 'dispatch', 'mikro_orm_migrations'];
  const { rows } = await client.query<{ name: string }>(
    `select name from unnest($1::text[]) as name where to_regclass('public.' || quote_ident(name)) is null`,
    [wanted],
  );
  if (rows.length) {
    throw new DatabaseUnreadable(
      `Database ${whereIs(url)} has no leadrelay tables (missing: ${rows.map((r) => r.name).join(', ')}): it was never migrated (plan never migrates; \`cli migrate\` or a start does).`,
    );
  }
}

/** Compares the files with the database the way a deploy would act on them. */
function planChanges(campaigns: ResolvedCampaign[], deployed: Deployed): Plan {
  const rows = new Map(deployed.campaigns.map((r) => [r.id, r]));
  const plan: Plan = { migrationsToRun: deployed.migrationsToRun, added: [], changed: [], archived: [], schedules: [], modeChanges: [] };
  const before = new Map<string, unknown>();
  const after = new Map<string, unknown>();
  for (const row of deployed.campaigns) if (!row.archived) addSchedules(before, row.id, row.definition);
  for (const c of campaigns) {
    const definition = asJson(storedDefinition(c));
    addSchedules(after, c.id, definition);
    const row = rows.get(c.id);
    if (!row) plan.added.push(c);
    else if (needsUpdate(row, c)) {
      plan.changed.push({ campaign: c, row, options: optionChanges(asWritten(row.definition), asWritten(definition)) });
      plan.modeChanges.push(...modeChanges(c.id, row.definition, definition, deployed.pending));
    }
  }
  plan.archived = campaignsToArchive(deployed.campaigns, campaigns);
  plan.schedules = scheduleChanges(before, after);
  return plan;
}

/** A definition as JSON holds it (what the database gives back). */
function asJson(definition: Record<string, unknown>): StoredDefinition {
  return JSON.parse(JSON.stringify(definition));
}

/**
 * The definition laid out as a campaign file writes it: each delivery's options and host settings
 * side by side (`deliveries[acme-crm].url`, `deliveries[acme-crm].retry`). Summary, mode and
 * schedule are left out: they follow from the options, and schedules and modes have their own
 * sections.
 */
function asWritten(definition: StoredDefinition): Record<string, unknown> {
  const { deliveries = [], ...rest } = definition;
  return { ...rest, deliveries: deliveries.map((d) => ({ id: d.id, plugin: d.plugin, ...d.options, ...d.controls })) };
}

/** Every difference between two JSON values, by path; arrays of things with an id or a name by that. */
function optionChanges(before: unknown, after: unknown, at = ''): Change[] {
  if (same(before, after)) return [];
  if (before === undefined) return [{ sign: '+', at, after }];
  if (after === undefined) return [{ sign: '-', at, before }];
  if (isRecord(before) && isRecord(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => optionChanges(before[k], after[k], at ? `${at}.${k}` : k));
  }
  const keyOf = Array.isArray(before) && Array.isArray(after) ? elementKey([...before, ...after]) : undefined;
  if (keyOf) {
    const b = new Map((before as Record<string, unknown>[]).map((e) => [String(e[keyOf]), e]));
    const a = new Map((after as Record<string, unknown>[]).map((e) => [String(e[keyOf]), e]));
    return [...new Set([...b.keys(), ...a.keys()])].flatMap((k) => optionChanges(b.get(k), a.get(k), `${at}[${k}]`));
  }
  return [{ sign: '~', at, before, after }];
}

/** `id` or `name`, when every element is an object with that key as a string. */
function elementKey(elements: unknown[]): 'id' | 'name' | undefined {
  return (['id', 'name'] as const).find((k) => elements.every((e) => isRecord(e) && typeof e[k] === 'string'));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Equal as JSON, whatever the key order (PostgreSQL's jsonb keeps its own). */
function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(publicForm(a)) === JSON.stringify(publicForm(b));
}

/** `env(NAME)` as the definition stores it (never the value); anything else as JSON. */
function shown(value: unknown): string {
  if (typeof value === 'string' && /^env\([^)]*\)$/.test(value)) return value;
  return JSON.stringify(publicForm(value));
}

/** `campaign/delivery` → schedule, for each scheduled delivery of a definition. */
function addSchedules(into: Map<string, unknown>, campaignId: string, definition: StoredDefinition): void {
  for (const d of definition.deliveries ?? []) if (d.mode === 'scheduled') into.set(`${campaignId}/${d.id}`, d.schedule);
}

function scheduleChanges(before: Map<string, unknown>, after: Map<string, unknown>): Change[] {
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort();
  return keys.flatMap((key): Change[] => {
    const b = before.get(key);
    const a = after.get(key);
    if (!before.has(key)) return [{ sign: '+', at: key, after: a }];
    if (!after.has(key)) return [{ sign: '-', at: key, before: b }];
    return same(b, a) ? [] : [{ sign: '~', at: key, before: b, after: a }];
  });
}

/** Deliveries kept whose mode changes while leads still wait for them. */
function modeChanges(campaignId: string, before: StoredDefinition, after: StoredDefinition, pending: Map<string, number>): ModeChange[] {
  return (after.deliveries ?? []).flatMap((d): ModeChange[] => {
    const was = before.deliveries?.find((x) => x.id === d.id);
    const key = `${campaignId}/${d.id}`;
    const waiting = pending.get(key) ?? 0;
    return was && was.mode !== d.mode && waiting > 0 ? [{ key, before: was.mode, after: d.mode, pending: waiting }] : [];
  });
}

function changeCount(plan: Plan): number {
  return plan.migrationsToRun.length + plan.added.length + plan.changed.length + plan.archived.length + plan.schedules.length + plan.modeChanges.length;
}

function writePlan(plan: Plan, out: NodeJS.WritableStream): void {
  const section = (title: string, lines: string[]) => {
    if (lines.length) out.write(`${title}\n${lines.map((l) => `  ${l}\n`).join('')}\n`);
  };
  section('Database:', plan.migrationsToRun.map((name) => `+ migration ${name}`));
  section('Campaigns:', [
    ...plan.added.map((c) => `+ ${c.id}: new, deliveries ${c.deliveries.map((d) => `${d.id} (${d.pluginName}, ${d.mode.kind})`).join(', ')}`),
    ...plan.changed.flatMap(({ campaign, row, options }) => [
      `~ ${campaign.id}${row.archived ? ': archived, back in force' : ''}`,
      ...options.map((o) => `    ${o.sign} ${o.at}: ${changeText(o)}`),
    ]),
    ...plan.archived.map((row) => `- ${row.id}: archived, its file is gone`),
  ]);
  section('Schedules:', plan.schedules.map((s) => `${s.sign} ${s.at}: ${changeText(s)}`));
  section('Deliveries changing mode with leads waiting:', plan.modeChanges.map((m) => `! ${m.key}: ${m.before} → ${m.after}, ${m.pending} pending lead(s)`));
  out.write(
    `Plan: ${plan.migrationsToRun.length ? `${plan.migrationsToRun.length} migration(s) to run; ` : ''}` +
      `campaigns ${plan.added.length} to add, ${plan.changed.length} to change, ${plan.archived.length} to archive; ` +
      `schedules ${count(plan.schedules, '+')} to add, ${count(plan.schedules, '~')} to change, ${count(plan.schedules, '-')} to remove; ` +
      `${plan.modeChanges.length} mode change(s) with pending leads.\n`,
  );
}

/** `before → after` for a change, the one value for an addition or a removal. */
function changeText(c: Change): string {
  if (c.sign === '~') return `${shown(c.before)} → ${shown(c.after)}`;
  return shown(c.sign === '+' ? c.after : c.before);
}

function count(changes: Change[], sign: Change['sign']): number {
  return changes.filter((c) => c.sign === sign).length;
}
