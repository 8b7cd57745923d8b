import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Test } from '@nestjs/testing';
import { PluginConfigError, type BatchFile, type CampaignInfo, type DeliveryResult, type PluginTools } from '@leadrelay/sdk/plugin';
import { isDeliveryPlugin } from '@leadrelay/sdk/internal';
import { at, env, every, field, realtime } from '@leadrelay/sdk';
import { startSshd, type Sshd } from '../../test/support/sshd';
import { SFTP_PLUGIN, SftpPluginModule, sftp, sftpPlugin, type SftpOptions, type SftpPluginOptions } from '.';

const campaign: CampaignInfo = {
  id: 'solar-tx',
  name: 'Solar Texas',
  fields: [field.text('first_name', { required: true }), field.email('email', { required: true }), field.phone('phone'), field.postalCode('zip')],
};

const CSV = Buffer.from('first_name,email,phone,zip,lead_id,received_at\r\nAnn,ann@example.com,5125550100,78701,l-1,2026-03-07T13:01:00.000Z\r\n');

/** A BatchFile from bytes, streamed in chunks: the host provides real ones; the plugin only opens it. */
function batchFile(content: Buffer, fileName: string, chunk = 64 * 1024): BatchFile {
  const chunks = () => Array.from({ length: Math.ceil(content.length / chunk) }, (_, i) => content.subarray(i * chunk, (i + 1) * chunk));
  return { fileName, contentType: 'text/csv', open: () => Readable.from(chunks()), byteLength: async () => content.length };
}

const warnings: object[] = [];
// The SFTP plugin uses no HTTP, templates or mail; only the logger.
const tools = {
  clock: { now: () => new Date('2026-03-07T14:00:00Z') },
  logger: { info: () => undefined, warn: (o: object) => warnings.push(o), error: () => undefined },
} as unknown as PluginTools;

describe('sftp plugin against a real OpenSSH server', () => {
  let sshd: Sshd;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.dispose();
  });

  /** Options as the host hands them over: from a campaign file, through the plugin's schema. */
  const options = (over: Partial<SftpOptions> = {}): SftpPluginOptions =>
    sftpPlugin.optionsSchema.parse(
      sftp({
        id: 'nightly-sftp',
        host: sshd.host,
        port: sshd.port,
        username: sshd.username,
        privateKey: sshd.privateKey,
        hostKey: sshd.hostKeyFingerprint,
        path: sshd.folder,
        schedule: every('1h'),
        timeoutMs: 3_000,
        retry: { attempts: 5 },
        ...over,
      }).options,
    );

  const deliver = (o: SftpPluginOptions, file: BatchFile, leadCount = 1): Promise<DeliveryResult> =>
    sftpPlugin.deliverBatch!({ batchId: 'b-1', deliveryId: 'nightly-sftp', attempt: 1, leadCount, campaign, options: o, prepared: undefined, file, createdAt: new Date('2026-03-07T14:00:00Z') }, tools);

  const leftovers = async (folder = sshd.folder) => (await readdir(folder)).filter((name) => name.endsWith('.part'));

  it('uploads the file byte for byte under its name, with no .part left, and records the upload', async () => {
    const content = Buffer.concat([CSV, randomBytes(300 * 1024)]);
    const result = await deliver(options(), batchFile(content, 'solar-tx-2026-03-07.csv'), 2);
    const remote = `${sshd.folder}/solar-tx-2026-03-07.csv`;
    expect(result).toEqual({
      outcome: 'delivered',
      reference: remote,
      request: { method: 'SFTP', url: `sftp://${sshd.username}@127.0.0.1:${sshd.port}${remote}`, headers: {}, body: `${content.length} bytes, 2 lead(s)` },
    });
    expect((await readFile(remote)).equals(content)).toBe(true);
    expect(await leftovers()).toEqual([]);
  });

  it('replaces a file of the same name', async () => {
    await deliver(options(), batchFile(Buffer.from('first version, longer than the second\n'), 'same.csv'));
    const result = await deliver(options(), batchFile(CSV, 'same.csv'));
    expect(result.outcome).toBe('delivered');
    expect(await readFile(join(sshd.folder, 'same.csv'))).toEqual(CSV);
    expect(await leftovers()).toEqual([]);
  });

  it('replaces a file of the same name on a server without posix-rename, by delete then rename', async () => {
    // Plain SFTP rename refuses an existing target; this server does not offer the OpenSSH extension.
    const plain = await startSshd({ deniedSftpRequests: ['posix-rename'] });
    try {
      const o = options({ port: plain.port, hostKey: plain.hostKeyFingerprint, privateKey: plain.privateKey, path: plain.folder });
      expect((await deliver(o, batchFile(Buffer.from('first version\n'), 'same.csv'))).outcome).toBe('delivered');
      expect((await deliver(o, batchFile(CSV, 'same.csv'))).outcome).toBe('delivered');
      expect(await readFile(join(plain.folder, 'same.csv'))).toEqual(CSV);
      expect(await leftovers(plain.folder)).toEqual([]);
    } finally {
      await plain.dispose();
    }
  });

  it('refuses a server whose host key is not the configured one, naming both fingerprints', async () => {
    const other = 'SHA256:' + 'A'.repeat(43);
    const result = await deliver(options({ hostKey: other }), batchFile(CSV, 'wrong-key.csv'));
    expect(result.outcome).toBe('rejected');
    expect(result.reason).toBe(`the host key of 127.0.0.1:${sshd.port} is not the delivery's hostKey ${other}: the server offered ${sshd.hostKeyFingerprint}`);
    expect(await readdir(sshd.folder)).not.toContain('wrong-key.csv');
  });

  it('refuses a wrong password as an authentication failure, without the password', async () => {
    const result = await deliver(options({ privateKey: undefined, password: 'not-the-password' }), batchFile(CSV, 'wrong-password.csv'));
    expect(result.outcome).toBe('rejected');
    expect(result.reason).toBe(`authentication failed for user ${sshd.username} at 127.0.0.1:${sshd.port} (password refused)`);
    expect(JSON.stringify(result)).not.toContain('not-the-password');
  });

  it('refuses a remote folder that does not exist, naming it', async () => {
    const missing = join(sshd.folder, 'no-such-folder');
    const result = await deliver(options({ path: missing }), batchFile(CSV, 'x.csv'));
    expect(result.outcome).toBe('rejected');
    expect(result.reason).toContain(`the remote folder ${missing} on 127.0.0.1:${sshd.port} does not exist`);
  });

  it('fails a private key that cannot be used as a configuration error, without the key', async () => {
    const unusable = '-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5\n-----END OPENSSH PRIVATE KEY-----\n';
    const result = await deliver(options({ privateKey: unusable }), batchFile(CSV, 'bad-key.csv'));
    expect(result).toMatchObject({ outcome: 'rejected', configError: true, reason: expect.stringMatching(/^privateKey could not be used: /) });
    expect(JSON.stringify(result)).not.toContain('bm90IGEga2V5');
  });

  it('removes the .part file when the upload fails part-way, and asks for a retry', async () => {
    const file: BatchFile = {
      fileName: 'broken.csv',
      contentType: 'text/csv',
      // The host's file stream breaks after its first rows (its database went away).
      open: () =>
        new Readable({
          read() {
            this.push(CSV);
            setTimeout(() => this.destroy(new Error('database connection lost')), 50);
          },
        }),
      byteLength: async () => CSV.length,
    };
    const sub = join(sshd.folder, 'broken');
    await mkdir(sub);
    const result = await deliver(options({ path: sub }), file);
    expect(result).toMatchObject({ outcome: 'retry', reason: 'the batch file could not be read: database connection lost', error: 'database connection lost' });
    expect(await readdir(sub)).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('asks for a retry, quickly, while sshd is down, and delivers once it is back', async () => {
    await sshd.stop();
    try {
      const started = Date.now();
      const result = await deliver(options(), batchFile(CSV, 'while-down.csv'));
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(result).toMatchObject({ outcome: 'retry', reason: `connection refused connecting to 127.0.0.1:${sshd.port}` });
      expect(result.error).toEqual(expect.any(String));
    } finally {
      await sshd.start();
    }
    expect((await deliver(options(), batchFile(CSV, 'after-restart.csv'))).outcome).toBe('delivered');
    expect(await readFile(join(sshd.folder, 'after-restart.csv'))).toEqual(CSV);
  });

  it('gives up on a server that never answers within timeoutMs, and asks for a retry', async () => {
    // A TCP listener that takes the connection and never speaks SSH.
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const started = Date.now();
      const result = await deliver(options({ port: (silent.address() as AddressInfo).port, timeoutMs: 1_000 }), batchFile(CSV, 'silent.csv'));
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(result.outcome).toBe('retry');
      expect(result.reason).toMatch(/timed out/);
    } finally {
      sockets.forEach((s) => s.destroy());
      await new Promise((r) => silent.close(r));
    }
  });
});

describe('sftp plugin: declaration', () => {
  const base = { host: 'sftp.buyer.example', username: 'leads', password: 'secret-pw', hostKey: 'SHA256:' + 'a'.repeat(43), path: '/incoming' };
  const parse = (o: Record<string, unknown>): SftpPluginOptions => sftpPlugin.optionsSchema.parse(o);

  function problems(o: SftpPluginOptions): unknown {
    try {
      sftpPlugin.prepare!(o, campaign, tools);
      return [];
    } catch (err) {
      expect(err).toBeInstanceOf(PluginConfigError);
      return (err as PluginConfigError).problems;
    }
  }

  it('is a batch plugin named sftp that carries its campaign helper, and neither delivers one by one nor classifies', () => {
    expect(isDeliveryPlugin(sftpPlugin)).toBe(true);
    expect(sftpPlugin.name).toBe('sftp');
    expect(sftpPlugin.campaignExports).toEqual({ sftp });
    expect(sftpPlugin.deliver).toBeUndefined();
    expect(sftpPlugin.classify).toBeUndefined();
    expect(sftp({ id: 'nightly-sftp', ...base, retry: { attempts: 5 } })).toEqual({ id: 'nightly-sftp', plugin: 'sftp', options: base, settings: { retry: { attempts: 5 } } });
  });

  it('is scheduled with a schedule and on demand without one', () => {
    expect(sftpPlugin.mode(parse({ ...base, schedule: every('1h') }))).toEqual({ kind: 'scheduled', schedule: every('1h') });
    expect(sftpPlugin.mode(parse(base))).toEqual({ kind: 'on-demand' });
  });

  it('applies defaults and takes env() references for secrets', () => {
    const o = parse({ host: 'h', username: 'u', privateKey: env('KEY'), passphrase: env('PASS'), hostKey: base.hostKey, path: '/in' });
    expect(o).toMatchObject({ port: 22, timeoutMs: 30_000, format: 'csv', quote: 'needed', header: true, formulaGuard: true, fileName: '{{campaign}}-{{date}}-{{time}}-{{batch}}.{{ext}}', privateKey: env('KEY') });
  });

  it('refuses unknown keys and a realtime schedule', () => {
    expect(sftpPlugin.optionsSchema.safeParse({ ...base, passwd: 'x' }).success).toBe(false);
    const rt = sftpPlugin.optionsSchema.safeParse({ ...base, schedule: realtime });
    expect(rt.success).toBe(false);
    expect(rt.error!.issues).toEqual([expect.objectContaining({ path: ['schedule'], message: expect.stringContaining('cannot be realtime') })]);
  });

  it('asks for the listed fields under their mapped headings, then lead_id and received_at', () => {
    expect(sftpPlugin.fileOptions!(parse({ ...base, format: 'tsv', fields: ['zip', 'email'], mapping: { zip: 'PostalCode' } }), campaign)).toEqual({
      format: 'tsv',
      quote: 'needed',
      header: true,
      formulaGuard: true,
      fileName: '{{campaign}}-{{date}}-{{time}}-{{batch}}.{{ext}}',
      columns: [
        { header: 'PostalCode', source: 'zip' },
        { header: 'email', source: 'email' },
        { header: 'lead_id', source: 'lead_id' },
        { header: 'received_at', source: 'received_at' },
      ],
    });
    expect(sftpPlugin.fileOptions!(parse(base), campaign).columns.map((c) => c.header)).toEqual(['first_name', 'email', 'phone', 'zip', 'lead_id', 'received_at']);
  });

  it('accepts good options', () => {
    expect(problems(parse(base))).toEqual([]);
    expect(problems(parse({ ...base, password: undefined, privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\n…', passphrase: 'p' }))).toEqual([]);
  });

  it('reports every problem of bad options at once, with paths, and no secret in them', () => {
    const bad = parse({
      ...base,
      privateKey: 'secret-key-text',
      fields: ['email', 'mail'],
      mapping: { zipp: 'Zip' },
      fileName: '{{campaign}}-{{day}}.{{ext}}',
      hostKey: 'SHA256:' + 'a'.repeat(43) + '=',
      path: 'incoming',
    });
    const found = problems(bad);
    expect(found).toEqual([
      { path: ['fields', 1], message: "unknown field 'mail' (campaign fields: first_name, email, phone, zip); did you mean 'email'?" },
      { path: ['mapping', 'zipp'], message: "unknown field 'zipp' (campaign fields: first_name, email, phone, zip); did you mean 'zip'?" },
      { path: ['fileName'], message: "unknown variable '{{day}}' (known: {{campaign}}, {{delivery}}, {{date}}, {{time}}, {{batch}}, {{ext}})" },
      { path: ['privateKey'], message: 'give password or privateKey, not both' },
      { path: ['privateKey'], message: 'must be a PEM private key (text starting -----BEGIN … PRIVATE KEY-----)' },
      { path: ['hostKey'], message: "must be the server's key fingerprint as `ssh-keygen -l -E sha256` prints it: SHA256: and 43 base64 characters without the trailing '='" },
      { path: ['path'], message: "must be an absolute remote folder, e.g. '/incoming'" },
    ]);
    expect(JSON.stringify(found)).not.toMatch(/secret-pw|secret-key-text/);
    expect(problems(parse({ ...base, password: undefined, passphrase: 'p' }))).toEqual([
      { path: ['password'], message: 'give password or privateKey to log in with' },
      { path: ['passphrase'], message: 'passphrase is only used with privateKey' },
    ]);
  });

  it('summarises in one line and previews the upload', async () => {
    expect(sftpPlugin.summary!(parse({ ...base, schedule: every('1h') }))).toBe('SFTP upload to leads@sftp.buyer.example:22/incoming every 1h');
    expect(sftpPlugin.summary!(parse({ ...base, schedule: at(['08:00'], 'America/Chicago') }))).toBe('SFTP upload to leads@sftp.buyer.example:22/incoming at 08:00 America/Chicago');
    expect(sftpPlugin.summary!(parse(base))).toBe('SFTP upload to leads@sftp.buyer.example:22/incoming on demand');
    const file = batchFile(CSV, 'solar-tx-2026-03-07.csv');
    const preview = await sftpPlugin.preview!({ dispatchId: 'sample', deliveryId: 'nightly-sftp', lead: {} as never, campaign, options: parse(base), prepared: undefined, file }, tools);
    expect(preview).toEqual({ summary: 'upload to sftp://leads@sftp.buyer.example:22/incoming/solar-tx-2026-03-07.csv', file });
  });

  it('is provided by its Nest module under SFTP_PLUGIN', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [SftpPluginModule] }).compile();
    expect(moduleRef.get(SFTP_PLUGIN)).toBe(sftpPlugin);
    expect(SFTP_PLUGIN).toBe('leadrelay.plugin.sftp');
    await moduleRef.close();
  });
});
