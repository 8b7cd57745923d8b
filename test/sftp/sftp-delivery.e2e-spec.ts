import * as fs from 'node:fs';
import * as path from 'node:path';
import { startSshd, type Sshd } from '../support/sshd';
import { eventually, sql, startTestServer, type TestServer } from '../support/test-server';

/**
 * SFTP is an ordinary plugin (plugins/sftp): its campaign helper comes from
 * `@leadrelay/plugins/sftp`, and the host schedules, claims, retries and records its batches by
 * mode alone. Against a real OpenSSH server started by the test.
 */
describe('SFTP delivery through the host, against a real sshd', () => {
  let sshd: Sshd;
  let server: TestServer;

  beforeAll(async () => {
    sshd = await startSshd();
    // The campaign file reads the port and host key when it loads (numbers and fingerprints are not secrets).
    process.env.SFTP_PORT = String(sshd.port);
    process.env.SFTP_HOST_KEY = sshd.hostKeyFingerprint;
    process.env.SFTP_PATH = sshd.folder;
    process.env.SFTP_USER = sshd.username;
    process.env.SFTP_MISSING_PATH = path.join(sshd.folder, 'no-such-folder');
    server = await startTestServer('sftp_delivery', {
      CAMPAIGNS_DIR: 'test/campaigns-sftp',
      SFTP_PORT: String(sshd.port),
      SFTP_USER: sshd.username,
      SFTP_KEY: sshd.privateKey,
      SFTP_HOST_KEY: sshd.hostKeyFingerprint,
      SFTP_PATH: sshd.folder,
      SFTP_MISSING_PATH: path.join(sshd.folder, 'no-such-folder'),
      SWEEP_EVERY_MS: '1000',
      SWEEP_GRACE_MS: '500',
    });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await sshd?.dispose();
    delete process.env.SFTP_PORT;
    delete process.env.SFTP_HOST_KEY;
    delete process.env.SFTP_PATH;
    delete process.env.SFTP_USER;
    delete process.env.SFTP_MISSING_PATH;
  });

  const post = (lead: Record<string, string>) =>
    fetch(`${server.url}/v1/campaigns/sftp-test/leads`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'sftp-key' }, body: JSON.stringify(lead) }).then((r) => r.json());
  const admin = (p: string, init: RequestInit = {}) =>
    fetch(`${server.url}${p}`, { ...init, headers: { ...server.admin, 'content-type': 'application/json' } }).then((r) => r.json());
  const batchFile = async (id: string) => Buffer.from(await (await fetch(`${server.url}/v1/batches/${id}/file`, { headers: server.admin })).arrayBuffer());
  const batchOf = (dispatchId: string) => eventually(async () => (await sql(server.databaseUrl, 'select batch_id from dispatch where id = $1', [dispatchId]))[0].batch_id, 15_000, 'the dispatch to join a batch');
  const deliveredBatch = (id: string, timeoutMs = 15_000) =>
    eventually(async () => {
      const b = await admin(`/v1/batches/${id}`);
      return b.status === 'delivered' ? b : undefined;
    }, timeoutMs, `batch ${id} delivered`);
  const noPartFiles = () => fs.readdirSync(sshd.folder).filter((f) => f.endsWith('.part'));

  it('a scheduled SFTP delivery uploads exactly the new leads each tick, byte for byte the batch file', async () => {
    const first = await post({ first_name: 'Ana', email: 'ana@example.com', zip: '78701' });
    const firstBatch = await batchOf(first.dispatches.find((d: any) => d.delivery === 'hourly').id);
    const one = await deliveredBatch(firstBatch);
    expect(one).toMatchObject({ mode: 'scheduled', plugin: 'sftp', delivery: 'hourly', leadCount: 1 });

    const second = [await post({ first_name: 'Bo', email: 'bo@example.com' }), await post({ first_name: 'Cy', email: 'cy@example.com' })];
    const secondBatch = await batchOf(second[0].dispatches.find((d: any) => d.delivery === 'hourly').id);
    const two = await deliveredBatch(secondBatch);
    expect(two.leadCount).toBe(2);
    expect(await batchOf(second[1].dispatches.find((d: any) => d.delivery === 'hourly').id)).toBe(secondBatch);

    for (const b of [one, two]) {
      const uploaded = fs.readFileSync(path.join(sshd.folder, b.options.fileName));
      expect(uploaded.equals(await batchFile(b.id))).toBe(true);
    }
    const lines = fs.readFileSync(path.join(sshd.folder, two.options.fileName), 'utf8').trim().split('\r\n');
    expect(lines[0]).toBe('first_name,email,zip,lead_id,received_at');
    expect(lines.slice(1).map((l) => l.split(',')[1]).sort()).toEqual(['bo@example.com', 'cy@example.com']);
    const attempts = await sql(server.databaseUrl, 'select outcome, request from attempt where batch_id = $1', [secondBatch]);
    expect(attempts).toHaveLength(1);
    expect(attempts[0].request.url).toBe(`sftp://${sshd.username}@127.0.0.1:${sshd.port}${sshd.folder}/${two.options.fileName}`);
    expect(JSON.stringify(attempts)).not.toContain(sshd.privateKey.split('\n')[1]);
    expect(noPartFiles()).toEqual([]);
  });

  it('a manual delivery of the on-demand SFTP delivery uploads its batch', async () => {
    const made = await admin('/v1/campaigns/sftp-test/manual-deliveries', { method: 'POST', body: JSON.stringify({ delivery: 'on-request' }) });
    expect(made).toMatchObject({ leadCount: 3, status: 'pending' });
    const batch = await deliveredBatch(made.id);
    expect(batch).toMatchObject({ mode: 'on-demand', plugin: 'sftp', options: { format: 'tsv', fileName: `manual-${made.id}.tsv` } });
    expect(fs.readFileSync(path.join(sshd.folder, `manual-${made.id}.tsv`)).equals(await batchFile(made.id))).toBe(true);
    expect(await sql(server.databaseUrl, `select distinct status from dispatch where batch_id = $1`, [made.id])).toEqual([{ status: 'delivered' }]);
  });

  it('a missing remote folder fails the batch after one attempt, naming the folder', async () => {
    const made = await admin('/v1/campaigns/sftp-test/manual-deliveries', { method: 'POST', body: JSON.stringify({ delivery: 'nowhere' }) });
    const failed = await eventually(async () => {
      const b = await admin(`/v1/batches/${made.id}`);
      return b.status === 'failed' ? b : undefined;
    }, 15_000, 'the batch to fail');
    expect(failed.attempts).toBe(1);
    expect(failed.reason).toContain(path.join(sshd.folder, 'no-such-folder'));
  });

  it('sshd stopped mid-run: the upload is retried by the host policy and delivered once it is back, no .part left', async () => {
    await sshd.stop();
    const lead = await post({ first_name: 'Di', email: 'di@example.com' });
    const made = await admin('/v1/campaigns/sftp-test/manual-deliveries', { method: 'POST', body: JSON.stringify({ delivery: 'on-request' }) });
    expect(made.leadCount).toBe(1);
    await eventually(async () => (await admin(`/v1/batches/${made.id}`)).attempts >= 2, 20_000, 'two tries while sshd is down');
    expect((await admin(`/v1/batches/${made.id}`)).status).toBe('pending');
    await sshd.start();
    const batch = await deliveredBatch(made.id, 30_000);
    expect(fs.readFileSync(path.join(sshd.folder, batch.options.fileName)).equals(await batchFile(made.id))).toBe(true);
    const outcomes = (await sql(server.databaseUrl, 'select outcome from attempt where batch_id = $1 order by at, id', [made.id])).map((a) => a.outcome);
    expect(outcomes.slice(0, -1).every((o) => o === 'retry')).toBe(true);
    expect(outcomes[outcomes.length - 1]).toBe('delivered');
    // The scheduled delivery's copy of the lead went out too, once sshd was back.
    await deliveredBatch(await batchOf(lead.dispatches.find((d: any) => d.delivery === 'hourly').id), 30_000);
    expect(noPartFiles()).toEqual([]);
  }, 90_000);
});
