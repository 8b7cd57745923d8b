import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkCommand } from '../apps/cli/src/check.command';
import { sql, startTestServer, testEnv, dropDatabase } from './support/test-server';
import { sink } from './support/output-sink';

const ROOT = path.resolve(__dirname, '..');
const BROKEN = path.join(ROOT, 'test/fixtures/broken-campaigns');
const EXPECTED = [
  'test/fixtures/broken-campaigns/broken.campaign.ts › intakeKeys[0]: environment variable LEADRELAY_TEST_UNSET_KEY is not set',
  "test/fixtures/broken-campaigns/broken.campaign.ts › deliveries[nightly].plugin: unknown plugin 'ftp-upload' (installed: email, http-post, manual-file, sftp)",
  "test/fixtures/broken-campaigns/broken.campaign.ts › deliveries[crm].mapping.zipp: unknown field 'zipp' (campaign fields: email, zip); did you mean 'zip'?",
];

describe('campaign files (docs/campaigns.md › Applying campaigns on deploy)', () => {
  it('campaigns:check passes the shipped example campaigns', async () => {
    const out = sink();
    const err = sink();
    expect(await checkCommand(path.join(ROOT, 'campaigns'), out.stream, err.stream)).toBe(0);
    expect(out.text()).toContain('solar-tx');
    expect(out.text()).toContain('contact-us');
    expect(err.text()).toBe('');
  });

  it('campaigns:check lists every problem as file › path: message and fails', async () => {
    const out = sink();
    const err = sink();
    expect(await checkCommand(BROKEN, out.stream, err.stream)).toBe(1);
    const lines = err.text().split('\n').filter((l) => l.includes(' › '));
    expect(lines.sort()).toEqual([...EXPECTED].sort());
  });

  it('the built CLI says the same without a database (npm run campaigns:check)', () => {
    const run = spawnSync(process.execPath, ['dist/apps/cli/src/main.js', 'check', BROKEN], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(1);
    for (const line of EXPECTED) expect(run.stderr).toContain(line);
  });

  it('the server refuses to start on a broken campaign: exits non-zero listing all three', async () => {
    const env = testEnv('broken', { CAMPAIGNS_DIR: BROKEN });
    try {
      const run = spawnSync(process.execPath, ['dist/apps/server/src/main.js'], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
      expect(run.status).not.toBe(0);
      for (const line of EXPECTED) expect(run.stderr).toContain(line);
    } finally {
      await dropDatabase(env.DATABASE_URL!);
    }
  });

  it('applies versions: a changed file gets a new version, a removed file is archived and refuses leads', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadrelay-campaigns-'));
    const write = (id: string, name: string) =>
      fs.writeFileSync(
        path.join(dir, `${id}.campaign.ts`),
        `import { defineCampaign, field, manualFile } from '@leadrelay/sdk';
         export default defineCampaign({ id: '${id}', name: '${name}', intakeKeys: ['k'],
           fields: [field.text('name', { required: true })], deliveries: [manualFile({ id: 'download' })] });`,
      );
    write('alpha', 'Alpha');
    write('beta', 'Beta');
    const server = await startTestServer('apply', { CAMPAIGNS_DIR: dir });
    const env = server.env;
    let running = server.app;
    try {
      const post = (id: string) =>
        fetch(`${server.url}/v1/campaigns/${id}/leads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'k' }, body: '{"name":"x"}' });
      const first = await (await post('alpha')).json();
      const [v1] = await sql(server.databaseUrl, `select version from campaign where id = 'alpha'`);
      await server.app.close();

      write('alpha', 'Alpha, renamed');
      fs.rmSync(path.join(dir, 'beta.campaign.ts'));
      const { startServer } = await import('../apps/server/src/bootstrap');
      const again = await startServer(env);
      running = again.app;
      server.url = again.url;
      const rows = await sql(server.databaseUrl, 'select id, name, version, archived from campaign order by id');
      expect(rows.map((r) => [r.id, r.name, r.archived])).toEqual([
        ['alpha', 'Alpha, renamed', false],
        ['beta', 'Beta', true],
      ]);
      expect(rows[0].version).not.toBe(v1.version);
      const versions = await sql(server.databaseUrl, `select hash from campaign_version where campaign_id = 'alpha' order by id`);
      expect(versions.map((v) => v.hash)).toEqual([v1.version, rows[0].version]);
      const [lead] = await sql(server.databaseUrl, 'select campaign_version from lead where id = $1', [first.id]);
      expect(lead.campaign_version).toBe(v1.version);
      expect((await post('beta')).status).toBe(404);
      const second = await (await post('alpha')).json();
      const [lead2] = await sql(server.databaseUrl, 'select campaign_version from lead where id = $1', [second.id]);
      expect(lead2.campaign_version).toBe(rows[0].version);
    } finally {
      await running.close();
      await dropDatabase(env.DATABASE_URL!);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
