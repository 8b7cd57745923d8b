import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startServer, type StartedServer } from '../../apps/server/src/bootstrap';
import { TestBuyer } from '../support/test-buyer';
import { ADMIN_TOKEN, dropDatabase, eventually, sql, testEnv } from '../support/test-server';

const admin = { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' };

/** A campaign with a real-time, a scheduled (never ticking by itself) and an on-demand delivery. */
const CAMPAIGN = (name: string) => `import { cron, defineCampaign, email, env, field, httpPost, manualFile } from '@leadrelay/sdk';
import { SUBJECT } from './shared/subject';

export default defineCampaign({
  id: 'leaving',
  name: '${name}',
  intakeKeys: ['leaving-key'],
  fields: [field.email('email', { required: true })],
  deliveries: [
    httpPost({ id: 'buyer', url: env('TEST_BUYER_URL'), retry: { attempts: 30, backoff: 'fixed', firstDelayMs: 300 }, breaker: false }),
    email({ id: 'mail', from: 'leads@leadrelay.example', to: ['buyer@acme.example'], subject: SUBJECT, schedule: cron('0 0 29 2 *', 'UTC') }),
    manualFile({ id: 'download' }),
  ],
});
`;

function git(dir: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd: dir, stdio: 'ignore' });
}

/**
 * Campaign versions that can run again (docs/architecture.md, "Campaign versions"): a campaign
 * whose file is removed is archived, yet every pending dispatch of each of its deliveries still
 * reaches a final status under its stored version (sources and all), and its leads export; and a
 * version says whether its files were committed.
 */
describe('campaign versions: honest and kept', () => {
  const buyer = new TestBuyer();
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let server: StartedServer | undefined;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadrelay-versions-'));
    fs.mkdirSync(path.join(dir, 'shared'));
    fs.writeFileSync(path.join(dir, 'shared', 'subject.ts'), `export const SUBJECT = '{{count}} leads, kept version';\n`);
    env = testEnv('versions', {
      CAMPAIGNS_DIR: dir,
      TEST_BUYER_URL: `${await buyer.start()}/leads`,
      SWEEP_EVERY_MS: '500',
      SWEEP_GRACE_MS: '500',
    });
    env.OUTBOX_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'leadrelay-versions-mail-'));
  });
  afterEach(async () => {
    await server?.app.close();
    server = undefined;
  });
  afterAll(async () => {
    await buyer.stop();
    await dropDatabase(env.DATABASE_URL!);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('records the commit and whether the file differed from it', async () => {
    git(dir, 'init', '-q');
    fs.writeFileSync(path.join(dir, 'leaving.campaign.ts'), CAMPAIGN('Leaving soon'));
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'first');
    server = await startServer(env);
    await server.app.close();
    fs.writeFileSync(path.join(dir, 'leaving.campaign.ts'), CAMPAIGN('Leaving soon (edited, not committed)'));
    server = await startServer(env);
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir }).toString().trim();
    const versions = await sql<{ git_commit: string; dirty: boolean; files: string[] }>(
      env.DATABASE_URL!,
      `select git_commit, dirty, (select array_agg(k order by k) from jsonb_object_keys(sources) as k) as files from campaign_version where campaign_id = 'leaving' order by id`,
    );
    expect(versions).toEqual([
      { git_commit: head, dirty: false, files: ['leaving.campaign.ts', 'shared/subject.ts'] },
      { git_commit: head, dirty: true, files: ['leaving.campaign.ts', 'shared/subject.ts'] },
    ]);
  });

  it('finishes every pending dispatch of a removed campaign under its stored version, and its leads still export', async () => {
    // The buyer is busy: real-time dispatches wait on retries.
    buyer.handler = (_req, res) => {
      res.statusCode = 503;
      res.end('busy');
    };
    server = await startServer(env);
    const leads: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${server.url}/v1/campaigns/leaving/leads`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': 'leaving-key' },
        body: JSON.stringify({ email: `leaving-${i}@example.com` }),
      });
      leads.push((await res.json()).id);
    }
    await eventually(async () => buyer.received.length >= 3, 20_000, 'each tried once');
    await server.app.close();

    // The file and the shared file it imports are removed; the host starts without them.
    fs.rmSync(path.join(dir, 'leaving.campaign.ts'));
    fs.rmSync(path.join(dir, 'shared'), { recursive: true });
    buyer.handler = (_req, res) => res.end('ok');
    server = await startServer(env);
    const campaign = await (await fetch(`${server.url}/v1/campaigns/leaving`, { headers: admin })).json();
    expect(campaign.archived).toBe(true);
    // Intake refuses it…
    const refused = await fetch(`${server.url}/v1/campaigns/leaving/leads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'leaving-key' }, body: '{"email":"late@example.com"}' });
    expect(refused.status).toBe(404);
    // …the real-time ones are delivered on their next try, the scheduled ones in one last batch
    // (its subject from the stored shared file), and the on-demand ones by a manual delivery.
    const manual = await (await fetch(`${server.url}/v1/campaigns/leaving/manual-deliveries`, { method: 'POST', headers: admin, body: '{"delivery":"download"}' })).json();
    expect(manual.leadCount).toBe(3);
    const statuses = async () =>
      sql<{ delivery_id: string; status: string; n: number }>(env.DATABASE_URL!, `select delivery_id, status, count(*)::int as n from dispatch where campaign_id = 'leaving' group by 1, 2 order by 1, 2`);
    await eventually(async () => (await statuses()).every((r) => r.status === 'delivered'), 30_000, 'every dispatch delivered');
    expect(await statuses()).toEqual([
      { delivery_id: 'buyer', status: 'delivered', n: 3 },
      { delivery_id: 'download', status: 'delivered', n: 3 },
      { delivery_id: 'mail', status: 'delivered', n: 3 },
    ]);
    const mails = fs.readdirSync(env.OUTBOX_DIR!).map((f) => fs.readFileSync(path.join(env.OUTBOX_DIR!, f), 'utf8'));
    expect(mails.some((m) => m.includes('Subject: 3 leads, kept version'))).toBe(true);

    const exported = await (await fetch(`${server.url}/v1/campaigns/leaving/export`, { headers: admin })).text();
    expect(exported.split('\r\n')[0]).toBe('email,lead_id,received_at,buyer_status,mail_status,download_status');
    for (const id of leads) expect(exported).toContain(id);
  }, 90_000);
});
