import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { startServer } from '../apps/server/src/bootstrap';
import { planCommand } from '../apps/cli/src/plan.command';
import { dropDatabase, sql, testEnv } from './support/test-server';
import { sink } from './support/output-sink';

const ROOT = path.resolve(__dirname, '..');
const FIXTURES = path.resolve(__dirname, 'cli-plan/campaigns');
const PG = 'postgres://postgres@127.0.0.1:5432';

/**
 * A working tree of campaign files: some of the fixtures, each edit a text replacement that must
 * apply (so a fixture edited later cannot quietly make a test pass).
 */
function workingTree(root: string, name: string, ids: string[], edits: Record<string, [string, string][]> = {}): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir);
  for (const id of ids) {
    let text = fs.readFileSync(path.join(FIXTURES, `${id}.campaign.ts`), 'utf8');
    for (const [from, to] of edits[id] ?? []) {
      if (!text.includes(from)) throw new Error(`fixture ${id} has no '${from}'`);
      text = text.replace(from, to);
    }
    fs.writeFileSync(path.join(dir, `${id}.campaign.ts`), text);
  }
  return dir;
}

/** Every table's row count and a digest of its rows: what "the database is unchanged" means here. */
async function snapshot(url: string): Promise<Record<string, string>> {
  const tables = await sql<{ name: string }>(url, `select tablename as name from pg_tables where schemaname = 'public' order by 1`);
  const out: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await sql(url, `select count(*)::int as n, md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from "${name}" t`);
    out[name] = `${row.n} ${row.digest}`;
  }
  return out;
}

async function databaseExists(name: string): Promise<boolean> {
  return (await sql(`${PG}/postgres`, 'select 1 from pg_database where datname = $1', [name])).length > 0;
}

async function plan(dir: string, url: string, env: NodeJS.ProcessEnv) {
  const out = sink();
  const err = sink();
  const code = await planCommand(dir, url, out.stream, err.stream, env);
  return { code, out: out.text(), err: err.text() };
}

/**
 * `cli plan` (docs/campaigns.md › plan): a campaign set is deployed into a fresh database by the
 * server's own start; plans of edited working trees then say what a deploy would change, and
 * change nothing themselves.
 */
describe('cli plan', () => {
  let root: string;
  let env: NodeJS.ProcessEnv;
  let url: string;
  let database: string;
  let before: Record<string, string>;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'leadrelay-plan-'));
    // `api` runs no workers: the accepted leads stay pending, as on a busy day.
    env = testEnv('cli_plan', { CAMPAIGNS_DIR: workingTree(root, 'deployed', ['alpha', 'beta', 'gamma']), LEADRELAY_ROLE: 'api', ACME_URL: 'http://127.0.0.1:9/leads' });
    url = env.DATABASE_URL!;
    database = new URL(url).pathname.slice(1);
    const server = await startServer(env);
    try {
      for (const email of ['ana@example.com', 'bo@example.com']) {
        const res = await fetch(`${server.url}/v1/campaigns/alpha/leads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'alpha-key' }, body: JSON.stringify({ email }) });
        expect(res.status).toBeLessThan(300);
      }
    } finally {
      await server.app.close();
    }
    const pending = await sql(url, `select delivery_id, count(*)::int as n from dispatch where campaign_id = 'alpha' and status = 'pending' group by 1 order by 1`);
    expect(pending).toEqual([
      { delivery_id: 'acme-crm', n: 2 },
      { delivery_id: 'mail', n: 2 },
    ]);
    before = await snapshot(url);
  });

  afterAll(async () => {
    await dropDatabase(url);
    fs.rmSync(root, { recursive: true, force: true });
  });

  /** The whole output of a plan of `dir`: the heading, then these lines. */
  const planText = (dir: string, ...lines: string[]) => [`Plan for ${dir} against 127.0.0.1:5432/${database} (read-only)`, '', ...lines, ''].join('\n');

  it('an unchanged tree: no changes, exit 0', async () => {
    const dir = workingTree(root, 'unchanged', ['alpha', 'beta', 'gamma']);
    const result = await plan(dir, url, env);
    expect(result.err).toBe('');
    expect(result.out).toBe(planText(dir, 'No changes: the database matches the campaign files (3 campaign(s)).'));
    expect(result.code).toBe(0);
  });

  it('a changed URL, an added and a removed campaign: exactly those three, secrets by name, exit 2', async () => {
    const dir = workingTree(root, 'edited', ['alpha', 'gamma', 'delta'], { alpha: [["url: env('ACME_URL')", "url: 'https://crm.acme.example/leads'"]] });
    const result = await plan(dir, url, env);
    expect(result.err).toBe('');
    expect(result.out).toBe(
      planText(
        dir,
        'Campaigns:',
        '  + delta: new, deliveries download (manual-file, on-demand)',
        '  ~ alpha',
        '      ~ deliveries[acme-crm].url: env(ACME_URL) → "https://crm.acme.example/leads"',
        '  - beta: archived, its file is gone',
        '',
        'Plan: campaigns 1 to add, 1 to change, 1 to archive; schedules 0 to add, 0 to change, 0 to remove; 0 mode change(s) with pending leads.',
      ),
    );
    expect(result.out).not.toContain('127.0.0.1:9');
    expect(result.code).toBe(2);
  });

  it('a real-time delivery turned scheduled with leads pending, and a schedule moved', async () => {
    const dir = workingTree(root, 'rescheduled', ['alpha', 'beta', 'gamma'], {
      alpha: [['schedule: realtime', "schedule: { kind: 'every', interval: '15m' }"]],
      gamma: [["at(['08:00'], 'UTC')", "at(['09:00'], 'UTC')"]],
    });
    const result = await plan(dir, url, env);
    expect(result.err).toBe('');
    expect(result.out).toBe(
      planText(
        dir,
        'Campaigns:',
        '  ~ alpha',
        '      + deliveries[mail].schedule.interval: "15m"',
        '      ~ deliveries[mail].schedule.kind: "realtime" → "every"',
        '  ~ gamma',
        '      ~ deliveries[daily].schedule.times: ["08:00"] → ["09:00"]',
        '',
        'Schedules:',
        '  + alpha/mail: {"interval":"15m","kind":"every"}',
        '  ~ gamma/daily: {"kind":"at","timeZone":"UTC","times":["08:00"]} → {"kind":"at","timeZone":"UTC","times":["09:00"]}',
        '',
        'Deliveries changing mode with leads waiting:',
        '  ! alpha/mail: realtime → scheduled, 2 pending lead(s)',
        '',
        'Plan: campaigns 0 to add, 2 to change, 0 to archive; schedules 1 to add, 1 to change, 0 to remove; 1 mode change(s) with pending leads.',
      ),
    );
    expect(result.code).toBe(2);
  });

  it('a removed schedule is listed with the campaign that no longer has it', async () => {
    const dir = workingTree(root, 'unscheduled', ['alpha', 'beta']);
    const result = await plan(dir, url, env);
    expect(result.out).toContain('Schedules:\n  - gamma/daily: {"kind":"at","timeZone":"UTC","times":["08:00"]}\n');
    expect(result.out).toContain('  - gamma: archived, its file is gone\n');
    expect(result.code).toBe(2);
  });

  it('a bad campaign file: its problems, no plan, exit 1', async () => {
    const dir = workingTree(root, 'broken', ['alpha', 'beta', 'gamma'], { beta: [["id: 'beta'", "id: 'not-beta'"]] });
    const result = await plan(dir, url, env);
    expect(result.out).toBe('');
    expect(result.err).toContain("beta.campaign.ts › id: must equal the file name 'beta'");
    expect(result.err).toContain('1 problem(s) found; no plan.');
    expect(result.code).toBe(1);
  });

  it('a database that does not exist: a clear error, exit 1, and it is not created', async () => {
    const missing = `${database}_missing`;
    const result = await plan(workingTree(root, 'for-missing', ['alpha']), `${PG}/${missing}`, env);
    expect(result.err).toBe(`Database 127.0.0.1:5432/${missing} does not exist: nothing has been deployed there (plan never creates it; \`cli migrate\` or a start does).\n`);
    expect(result.code).toBe(1);
    expect(await databaseExists(missing)).toBe(false);
  });

  it('a DATABASE_URL that names no database: a clear error, exit 1', async () => {
    const result = await plan(workingTree(root, 'for-bad-url', ['alpha']), PG, env);
    expect(result.err).toBe(`DATABASE_URL is not a usable PostgreSQL URL (DATABASE_URL has no database name: ${PG}).\n`);
    expect(result.code).toBe(1);
  });

  it('a database without our tables: a clear error, exit 1, and it is not migrated', async () => {
    const empty = `${database}_empty`;
    const admin = new Client({ connectionString: `${PG}/postgres` });
    await admin.connect();
    await admin.query(`create database "${empty}"`);
    await admin.end();
    try {
      const result = await plan(workingTree(root, 'for-empty', ['alpha']), `${PG}/${empty}`, env);
      expect(result.err).toBe(
        `Database 127.0.0.1:5432/${empty} has no leadrelay tables (missing: campaign, dispatch, mikro_orm_migrations): it was never migrated (plan never migrates; \`cli migrate\` or a start does).\n`,
      );
      expect(result.code).toBe(1);
      expect(await sql(`${PG}/${empty}`, `select tablename from pg_tables where schemaname = 'public'`)).toEqual([]);
    } finally {
      await dropDatabase(`${PG}/${empty}`);
    }
  });

  it('the built CLI exits 0, 2 and 1 as the process status (npm run cli -- plan)', async () => {
    const run = (dir: string) =>
      spawnSync(process.execPath, ['dist/apps/cli/src/main.js', 'plan', dir], { cwd: ROOT, env: { PATH: env.PATH, DATABASE_URL: url, ACME_URL: env.ACME_URL }, encoding: 'utf8' });
    expect(run(workingTree(root, 'cli-unchanged', ['alpha', 'beta', 'gamma'])).status).toBe(0);
    const changed = run(workingTree(root, 'cli-changed', ['alpha', 'beta']));
    expect(changed.stdout).toContain('  - gamma: archived, its file is gone\n');
    expect(changed.status).toBe(2);
    const unset = spawnSync(process.execPath, ['dist/apps/cli/src/main.js', 'plan', workingTree(root, 'cli-no-env', ['alpha'])], { cwd: ROOT, env: { PATH: env.PATH, DATABASE_URL: url }, encoding: 'utf8' });
    expect(unset.stderr).toContain('environment variable ACME_URL is not set');
    expect(unset.status).toBe(1);
  });

  it('leaves every row of the deployed database as it was', async () => {
    await plan(workingTree(root, 'again', ['alpha', 'gamma', 'delta']), url, env);
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['campaign', 'campaign_version', 'lead', 'dispatch_row', 'mikro_orm_migrations']));
    expect(await snapshot(url)).toEqual(before);
  });

  it('a migration the database has not run yet is a change a start would make', async () => {
    // The test's own database, made behind the code on purpose (after the rows were compared).
    const [newest] = await sql(url, 'delete from mikro_orm_migrations where id = (select max(id) from mikro_orm_migrations) returning name');
    const result = await plan(workingTree(root, 'behind', ['alpha', 'beta', 'gamma']), url, env);
    expect(result.out).toContain(`Database:\n  + migration ${newest.name}\n`);
    expect(result.out).toContain('Plan: 1 migration(s) to run; campaigns 0 to add, 0 to change, 0 to archive;');
    expect(result.code).toBe(2);
  });
});
