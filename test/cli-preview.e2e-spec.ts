import * as path from 'node:path';
import { classifyCommand, previewCommand } from '../apps/cli/src/preview.command';
import { sink } from './support/output-sink';

const CAMPAIGNS = path.resolve(__dirname, 'campaigns');

describe('CLI preview and classify (docs/campaigns.md › Applying campaigns on deploy)', () => {
  it('preview prints the request a real-time delivery would send for a sample lead, normalised, without sending it', async () => {
    const out = sink();
    const err = sink();
    const code = await previewCommand(CAMPAIGNS, 'realtime-test', 'buyer', '{"first_name":" Ana ","email":"Ana@Example.COM","zip":"787011234"}', out.stream, err.stream);
    expect(err.text()).toBe('');
    expect(code).toBe(0);
    const [requestLine, ...rest] = out.text().split('\n');
    // TEST_BUYER_URL is unset here, so the campaign's env() fallback is what would be called.
    expect(requestLine).toBe('POST http://127.0.0.1:9/unused');
    expect(rest).toContain('idempotency-key: 00000000-0000-4000-8000-000000000000');
    const body = new URLSearchParams(rest[rest.length - 2]);
    expect(Object.fromEntries(body)).toEqual({ first_name: 'Ana', email: 'ana@example.com', zip: '78701-1234' });
  });

  it('preview refuses an invalid sample lead field by field', async () => {
    const err = sink();
    expect(await previewCommand(CAMPAIGNS, 'realtime-test', 'buyer', '{"email":"nope"}', sink().stream, err.stream)).toBe(1);
    expect(err.text()).toContain('lead › first_name: is required');
    expect(err.text()).toContain('lead › email: is not a valid email address');
  });

  it('preview of a file delivery shows what happens to the lead and its row in the file', async () => {
    const out = sink();
    const err = sink();
    expect(await previewCommand(CAMPAIGNS, 'intake-test', 'download', '{"first_name":"Ana","email":"ANA@example.com"}', out.stream, err.stream)).toBe(0);
    expect(err.text()).toBe('');
    const [summary, , fileLine, header, row] = out.text().split(/\r?\n/);
    // No batch is made by a preview: the default name shows where its id goes.
    expect(summary).toMatch(/^the lead waits for a manual download \(intake-test-download-\d{4}-\d{2}-\d{2}-<batch>\.csv\), which delivers it$/);
    expect(fileLine).toMatch(/^--- intake-test-/);
    expect(header).toContain('first_name');
    expect(row).toContain('ana@example.com');
  });

  it('classify shows how a saved buyer response would be read', async () => {
    const out = sink();
    const saved = JSON.stringify({ status: 200, headers: { 'Content-Type': 'application/json' }, body: '{"result":"failure","reason":"Duplicate lead"}' });
    expect(await classifyCommand(CAMPAIGNS, 'realtime-test', 'buyer', saved, out.stream, sink().stream)).toBe(0);
    expect(JSON.parse(out.text())).toMatchObject({ outcome: 'rejected', reason: 'Duplicate lead' });
    const retry = sink();
    await classifyCommand(CAMPAIGNS, 'realtime-test', 'buyer', JSON.stringify({ status: 503, body: 'busy' }), retry.stream, sink().stream);
    expect(JSON.parse(retry.text())).toMatchObject({ outcome: 'retry' });
    const err = sink();
    expect(await classifyCommand(CAMPAIGNS, 'nope', 'buyer', saved, sink().stream, err.stream)).toBe(2);
    expect(err.text()).toContain("No delivery 'buyer' in campaign 'nope'");
  });

  it('classify reads a raw body as the buyer sent it, with --status and --content-type', async () => {
    const classify = async (body: string, raw: { status?: string; contentType?: string }) => {
      const out = sink();
      const err = sink();
      const code = await classifyCommand(CAMPAIGNS, 'realtime-test', 'buyer', body, out.stream, err.stream, raw);
      return { code, out: out.text(), err: err.text() };
    };
    const json = await classify('{"result":"failure","reason":"Duplicate lead"}', { contentType: 'application/json' });
    expect(json.err).toBe('');
    expect(JSON.parse(json.out)).toMatchObject({ outcome: 'rejected', reason: 'Duplicate lead' });
    // The content type decides how the body is read: as text, `reason` is a pattern, not a JSON path.
    const asText = JSON.parse((await classify('{"result":"failure","reason":"Duplicate lead"}', { contentType: 'text/plain' })).out);
    expect(asText.reason).not.toBe('Duplicate lead');
    expect(JSON.parse((await classify('busy', { status: '503' })).out)).toMatchObject({ outcome: 'retry' });
    // A body that happens to be the JSON wrapper is still a raw body once a flag is given.
    expect(JSON.parse((await classify('{"status":503,"body":"busy"}', { status: '200', contentType: 'application/json' })).out)).not.toMatchObject({ outcome: 'retry' });

    for (const status of ['abc', '42', '200.5', '']) {
      const bad = await classify('x', { status });
      expect(bad.code).toBe(2);
      expect(bad.out).toBe('');
      expect(bad.err).toBe(`--status must be an HTTP status from 100 to 599, not '${status}'.\n`);
    }
  });

  it('classify says clearly that a delivery whose plugin reads no buyer response cannot classify', async () => {
    const err = sink();
    expect(await classifyCommand(CAMPAIGNS, 'intake-test', 'download', '{"status":200}', sink().stream, err.stream)).toBe(2);
    expect(err.text()).toBe("classify is not supported by plugin 'manual-file': delivery 'download' reads no buyer response.\n");
  });
});
