import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startServer, type StartedServer } from '../../apps/server/src/bootstrap';
import { ADMIN_TOKEN, dropDatabase, testEnv } from '../support/test-server';
import { CAMPAIGNS_DIR, download, parseFile, postJson, submitLead, type Host } from './lead-files.fixture';

/**
 * Batches are the record of manual deliveries: listed newest first, and each file can be fetched
 * again, byte for byte — also after the campaign file has changed, since the batch keeps its own
 * columns and options. The host is restarted on the same database with an edited campaign file.
 */
describe('batches (docs/api.md › Admin API)', () => {
  const env = testEnv('files_batches', { CAMPAIGNS_DIR });
  const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
  let started: StartedServer | undefined;
  let host: Host;
  const editedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leadrelay-campaigns-'));
  const get = (p: string) => fetch(`${host.url}${p}`, { headers: admin });
  const manual = (body: unknown) => postJson(host, '/v1/campaigns/files-test/manual-deliveries', body);

  async function start(campaignsDir: string): Promise<void> {
    started = await startServer({ ...env, CAMPAIGNS_DIR: campaignsDir });
    host = { url: started.url, admin, databaseUrl: env.DATABASE_URL! };
  }

  beforeAll(async () => {
    await start(CAMPAIGNS_DIR);
  });
  afterAll(async () => {
    await started?.app.close();
    await dropDatabase(env.DATABASE_URL!);
    fs.rmSync(editedDir, { recursive: true, force: true });
  });

  it('shows a batch with its campaign, delivery, plugin, mode, time, lead count and options', async () => {
    await submitLead(host, 'files-test', { first_name: 'Ann', email: 'ann@example.com' });
    const made = await manual({ delivery: 'download', format: 'tsv', quote: 'all', header: false });
    const res = await get(`/v1/batches/${made.body.id}`);
    expect(res.status).toBe(200);
    const batch = await res.json();
    expect(batch).toMatchObject({
      id: made.body.id,
      campaign: 'files-test',
      delivery: 'download',
      plugin: 'manual-file',
      mode: 'on-demand',
      status: 'delivered',
      leadCount: 1,
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      options: { format: 'tsv', quote: 'all', header: false, fileName: `files-test-download-${made.body.id}.tsv` },
      file: `/v1/batches/${made.body.id}/file`,
    });
  });

  it('lists the campaign’s batches newest first, and only that campaign’s', async () => {
    const ids: string[] = [];
    // Nothing is pending for `download` now: these are empty batches, asked for as such.
    for (const format of ['csv', 'tsv', 'csv']) ids.push((await manual({ delivery: 'download', format, allowEmpty: true })).body.id);
    ids.push((await manual({ delivery: 'backup' })).body.id);
    await postJson(host, '/v1/campaigns/single-file/manual-deliveries', { allowEmpty: true });
    const { items } = await (await get('/v1/campaigns/files-test/batches')).json();
    expect(items.every((b: any) => b.campaign === 'files-test')).toBe(true);
    expect(items.map((b: any) => b.id)).toEqual(expect.arrayContaining(ids));
    const times = items.map((b: any) => b.createdAt);
    expect(times).toEqual([...times].sort().reverse());
    // Batches made in the same millisecond may come in either order; made further apart they follow creation.
    const created = items.filter((b: any) => ids.includes(b.id)).map((b: any) => b.id);
    if (new Set(times).size === times.length) expect(created).toEqual([...ids].reverse());
    expect((await (await get('/v1/campaigns/single-file/batches')).json()).items).toHaveLength(1);
  });

  it('answers 404 for an unknown batch, its file, and an unknown campaign’s batches', async () => {
    const malformed = '-'.repeat(36);
    for (const p of ['/v1/batches/00000000-0000-0000-0000-000000000000', '/v1/batches/not-a-uuid', `/v1/batches/${malformed}`, `/v1/batches/${malformed}/file`, '/v1/batches/00000000-0000-0000-0000-000000000000/file', '/v1/campaigns/nope/batches']) {
      const res = await get(p);
      expect([p, res.status]).toEqual([p, 404]);
      expect((await res.json()).error).toBe('not_found');
    }
    const retry = await fetch(`${host.url}/v1/batches/${malformed}/retry`, { method: 'POST', headers: admin });
    expect(retry.status).toBe(404);
    expect((await get(`/v1/leads/${malformed}`)).status).toBe(404);
  });

  it('gives the same bytes every time, also after the campaign file changes the delivery’s columns', async () => {
    for (const name of ['Bo, "Jr."', 'Cy\nNewline', '=1+1']) await submitLead(host, 'files-test', { first_name: name, email: 'x@example.com' });
    const made = await manual({ delivery: 'download', format: 'csv', quote: 'needed', header: true });
    expect(made.body.leadCount).toBe(3);
    const first = await download(host, made.body.file);
    const again = await download(host, made.body.file);
    expect(again.bytes.equals(first.bytes)).toBe(true);
    expect(again.headers.get('content-disposition')).toBe(first.headers.get('content-disposition'));
    expect(parseFile(first.bytes, 'csv').rows[0][1]).toBe('First Name');

    // Deploy an edited campaign file: other headings, fewer fields, TSV by default.
    for (const file of fs.readdirSync(CAMPAIGNS_DIR)) fs.copyFileSync(path.join(CAMPAIGNS_DIR, file), path.join(editedDir, file));
    const campaignFile = path.join(editedDir, 'files-test.campaign.ts');
    const source = fs.readFileSync(campaignFile, 'utf8');
    const edited = source
      .replace("fields: ['email', 'first_name', 'last_name', 'company', 'notes', 'phone_text', 'amount']", "fields: ['first_name', 'email'], format: 'tsv'")
      .replace("mapping: { first_name: 'First Name', phone_text: 'Phone', amount: 'Amount' }", "mapping: { first_name: 'Given Name' }");
    expect(edited).not.toBe(source);
    fs.writeFileSync(campaignFile, edited);
    await started!.app.close();
    started = undefined;
    await start(editedDir);

    const afterEdit = await download(host, made.body.file);
    expect(afterEdit.bytes.equals(first.bytes)).toBe(true);
    expect(afterEdit.headers.get('content-disposition')).toBe(first.headers.get('content-disposition'));
    const batch = await (await get(`/v1/batches/${made.body.id}`)).json();
    expect(batch.options).toMatchObject({ format: 'csv', quote: 'needed', header: true });

    // A new batch follows the edited file.
    const lead = await submitLead(host, 'files-test', { first_name: 'Di', email: 'di@example.com' });
    const next = await manual({ delivery: 'download' });
    const file = await download(host, next.body.file);
    expect(file.headers.get('content-disposition')).toBe(`attachment; filename="files-test-download-${next.body.id}.tsv"`);
    expect(parseFile(file.bytes, 'tsv').rows).toEqual([
      ['Given Name', 'email', 'lead_id', 'received_at'],
      ['Di', 'di@example.com', lead.id, lead.receivedAt],
    ]);
  });
});
