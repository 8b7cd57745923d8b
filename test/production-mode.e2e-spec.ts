import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CampaignProblems } from '@leadrelay/campaigns';
import { startServer } from '../apps/server/src/bootstrap';
import { ServerProcess } from './delivery/server.process';
import { dropDatabase, sql, testEnv } from './support/test-server';

const ROOT = path.resolve(__dirname, '..');
const MAIN = 'dist/apps/server/src/main.js';
/** What production mode adds to each test-campaign variable that would otherwise fall back to git. */
const CAMPAIGN_SECRETS = { INTAKE_TEST_KEY: 'intake-key-from-env', TEST_BUYER_URL: 'https://buyer.example/leads' };

/**
 * NODE_ENV=production (docs/security.md › Production mode), on the built server as deployed:
 * every insecure setting stops the start with its name, a secure one starts, and no token ever
 * reaches the log.
 */
describe('production mode (docs/security.md › Production mode)', () => {
  const production = (extra: NodeJS.ProcessEnv) => testEnv('production', { NODE_ENV: 'production', LOG_LEVEL: 'info', ...CAMPAIGN_SECRETS, ...extra });
  const run = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [MAIN], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
  const databaseExists = async (url: string) =>
    (await sql('postgres://postgres@127.0.0.1:5432/postgres', 'select 1 from pg_database where datname = $1', [new URL(url).pathname.slice(1)])).length > 0;
  /** The URL the server logged when it was up (it listens on a port of its choosing). */
  const urlOf = (server: ServerProcess) =>
    server
      .written('stdout')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
      .find((entry) => entry.msg === 'leadrelay is up').url as string;

  beforeAll(() => {
    if (!fs.existsSync(path.join(ROOT, MAIN))) throw new Error(`${MAIN} is missing: run \`npx nest build server\` first (npm test does)`);
  });

  it.each([
    ['ADMIN_TOKENS', { ADMIN_TOKENS: '', DEMO_BUYER: 'off' }],
    ['DEMO_BUYER', { DEMO_BUYER: 'on' }],
    ['DEMO_BUYER', { DEMO_BUYER: '' }],
  ])('refuses to start without a safe %s, naming it, before it opens anything', async (name, extra) => {
    const env = production(extra);
    const result = run(env);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('leadrelay did not start: NODE_ENV=production refuses these settings:');
    expect(result.stderr.split('\n').filter((l) => /^ {2}[A-Z_]+: /.test(l)).map((l) => l.trim().split(':')[0])).toEqual([name]);
    expect(result.stdout).not.toContain('leadrelay is up');
    expect(await databaseExists(env.DATABASE_URL!)).toBe(false);
  });

  it('lists every insecure setting in one run', () => {
    const result = run(production({ ADMIN_TOKENS: '', DEMO_BUYER: '' }));
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/ {2}ADMIN_TOKENS: is not set; production mode generates no admin token/);
    expect(result.stderr).toMatch(/ {2}DEMO_BUYER: is on \(its default\).*set DEMO_BUYER=off/);
  });

  it("refuses the shipped examples' fallback intake keys and buyer URL, each at its place", async () => {
    const env = production({ ADMIN_TOKENS: 'ops:prod-token', DEMO_BUYER: 'off', CAMPAIGNS_DIR: 'campaigns' });
    try {
      const result = run(env);
      expect(result.status).toBe(1);
      const fallback = (name: string) => `environment variable ${name} is not set; NODE_ENV=production does not use its fallback, which is in git, where a secret goes`;
      expect(result.stderr.split('\n').filter((l) => l.includes('NODE_ENV=production')).sort()).toEqual(
        [
          `campaigns/contact-us.campaign.ts › intakeKeys[0]: ${fallback('CONTACT_US_SOURCE_KEY')}`,
          `campaigns/solar-tx.campaign.ts › deliveries[acme-crm].url: ${fallback('SOLAR_TX_BUYER_URL')}`,
          `campaigns/solar-tx.campaign.ts › intakeKeys[0]: ${fallback('SOLAR_TX_SOURCE_KEY')}`,
        ].sort(),
      );
      expect(result.stdout).not.toContain('leadrelay is up');
    } finally {
      await dropDatabase(env.DATABASE_URL!);
    }
  });

  it('judges a fallback by where it goes: a key or a header is a secret, a URL with no path is not', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadrelay-production-'));
    fs.writeFileSync(
      path.join(dir, 'fallbacks.campaign.ts'),
      `import { defineCampaign, env, field, httpPost } from '@leadrelay/sdk';
       export default defineCampaign({ id: 'fallbacks', name: 'Fallbacks', intakeKeys: [env('PM_SOURCE_KEY', 'in-git')],
         fields: [field.email('email', { required: true })],
         deliveries: [httpPost({ id: 'buyer', url: env('PM_BUYER_URL', 'https://buyer.example'), headers: { 'x-api-key': env('PM_BUYER_KEY', 'also-in-git') } })] });`,
    );
    const env = production({ ADMIN_TOKENS: 'ops:prod-token', DEMO_BUYER: 'off', CAMPAIGNS_DIR: dir, LOG_LEVEL: 'silent' });
    try {
      const refused = await startServer(env).then(
        (started) => started.app.close().then(() => undefined),
        (err: unknown) => err,
      );
      expect(refused).toBeInstanceOf(CampaignProblems);
      expect((refused as CampaignProblems).problems.map((p) => p.replace(/^.* › /, '').split(':')[0])).toEqual(['intakeKeys[0]', 'deliveries[buyer].headers.x-api-key']);
      // The same files start outside production, where fallbacks are there to make a laptop work.
      const { NODE_ENV: _production, ...development } = env;
      const started = await startServer(development);
      await started.app.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await dropDatabase(env.DATABASE_URL!);
    }
  });

  it('starts with a secure configuration, serves no demo buyer, and never writes the token out', async () => {
    const token = `prod-${randomBytes(12).toString('hex')}`;
    const env = production({ ADMIN_TOKENS: `ops:${token}`, DEMO_BUYER: 'off' });
    const server = await ServerProcess.start(env);
    try {
      const url = urlOf(server);
      expect((await fetch(`${url}/health`)).status).toBe(200);
      expect((await fetch(`${url}/demo-buyer/leads`, { method: 'POST' })).status).toBe(404);
      expect((await fetch(`${url}/v1/campaigns`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      await server.stop();
      await dropDatabase(env.DATABASE_URL!);
    }
    expect(server.written('stdout')).toContain('leadrelay is up');
    expect(server.log).not.toContain(token);
  });

  it('outside production, with no ADMIN_TOKENS, prints a generated token once on stderr and never logs it', async () => {
    const env = testEnv('development', { ADMIN_TOKENS: '' });
    const server = await ServerProcess.start(env);
    try {
      const printed = [...server.written('stderr').matchAll(/admin token for this run: (\S+)/g)].map((m) => m[1]);
      expect(printed).toHaveLength(1);
      const [token] = printed;
      expect((await fetch(`${urlOf(server)}/v1/campaigns`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
      const log = server.written('stdout');
      expect(log).toContain('ADMIN_TOKENS is not set: an admin token was generated for this run and printed on stderr');
      expect(log).not.toContain(token);
    } finally {
      await server.stop();
      await dropDatabase(env.DATABASE_URL!);
    }
  });
});
