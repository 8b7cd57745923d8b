import * as http from 'node:http';
import { insertLeads } from './files/lead-files.fixture';
import { contract } from './support/openapi-contract';
import { sql, startTestServer, type TestServer } from './support/test-server';

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  port: number;
}

/**
 * What the HTTP adapter (Fastify, apps/server/src/bootstrap.ts) must keep as the contract says
 * (docs/api.md): errors of the framework itself in the JSON shape, bodies over 64 KiB refused
 * without cutting the connection, no framework headers, the client address through a proxy on
 * loopback, and a download the client abandons ends its query.
 */
describe('HTTP adapter (docs/api.md › Errors)', () => {
  let server: TestServer;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const intake = '/v1/campaigns/intake-test/leads';
  const lead = JSON.stringify({ first_name: 'Ana', email: 'ana@example.com' });

  /** One request on the single kept-alive connection; `chunks` are written one by one, with no content-length. */
  function request(method: string, path: string, headers: Record<string, string>, body?: string | Buffer[]): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const url = new URL(server.url);
      const req = http.request({ host: url.hostname, port: url.port, agent, method, path, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          const answer = { status: res.statusCode!, headers: res.headers, body: text, port: req.socket!.localPort! };
          // Checked against /openapi.json as fetch's answers are (test/support/openapi-contract.setup.ts).
          const seen = { method, url: `${server.url}${path}`, status: answer.status, contentType: res.headers['content-type'] ?? null, body: text };
          contract.observe(seen).then(() => resolve(answer), reject);
        });
      });
      req.on('error', reject);
      if (Array.isArray(body)) {
        const next = (i: number) => (i < body.length ? req.write(body[i], () => next(i + 1)) : req.end());
        next(0);
      } else {
        req.end(body);
      }
    });
  }
  const post = (path: string, body: string | Buffer[], headers: Record<string, string> = {}) =>
    request('POST', path, { 'content-type': 'application/json', 'x-api-key': 'intake-key', ...headers }, body);

  beforeAll(async () => {
    server = await startTestServer('adapter');
  });
  afterAll(async () => {
    agent.destroy();
    await server?.stop();
  });

  it('answers 413 to a chunked body over 64 KiB and keeps the connection for the next lead', async () => {
    const first = await post(intake, lead);
    expect(first.status).toBe(201);
    const big = await post(intake, Array.from({ length: 50 }, () => Buffer.alloc(4096, 'a')));
    expect([big.status, JSON.parse(big.body).error, big.headers.connection]).toEqual([413, 'payload_too_large', 'keep-alive']);
    const declared = await post(intake, 'x'.repeat(100 * 1024));
    expect(declared.status).toBe(413);
    const after = await post(intake, lead);
    expect(after.status).toBe(201);
    expect(new Set([first.port, big.port, declared.port, after.port]).size).toBe(1);
  });

  it('checks the campaign and the key before reading the body', async () => {
    const big = Array.from({ length: 20 }, () => Buffer.alloc(4096, 'a'));
    expect((await post('/v1/campaigns/nope/leads', big)).status).toBe(404);
    expect((await post(intake, big, { 'x-api-key': 'wrong' })).status).toBe(401);
  });

  it("answers the framework's own errors in the JSON shape", async () => {
    const unknown = await request('GET', '/nope', {});
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body)).toMatchObject({ message: 'Cannot GET /nope' });
    const badType = await post(intake, lead, { 'content-type': 'not a type' });
    expect([badType.status, JSON.parse(badType.body).error]).toEqual([415, 'unsupported_media_type']);
    const badUrl = await request('GET', '/v1/campaigns/%FF', server.admin);
    expect([badUrl.status, JSON.parse(badUrl.body).error]).toEqual([400, 'bad_request']);
    const longId = await request('GET', `/v1/leads/${'x'.repeat(300)}`, server.admin);
    expect([longId.status, JSON.parse(longId.body).error]).toEqual([404, 'not_found']);
    for (const answer of [unknown, badType, badUrl, longId]) expect(answer.headers['content-type']).toMatch(/^application\/json/);
  });

  it('routes as before: letter case and a trailing slash do not matter, HEAD answers GET routes', async () => {
    expect((await request('GET', '/V1/Campaigns/', server.admin)).status).toBe(200);
    expect((await request('HEAD', '/health', {})).status).toBe(200);
  });

  it('sends no X-Powered-By and no ETag', async () => {
    for (const answer of [await request('GET', '/v1/campaigns', server.admin), await post(intake, lead)]) {
      expect(answer.headers['x-powered-by']).toBeUndefined();
      expect(answer.headers.etag).toBeUndefined();
    }
  });

  it('records the client behind a proxy on loopback, and the peer otherwise', async () => {
    const proxied = JSON.parse((await post(intake, lead, { 'x-forwarded-for': '203.0.113.9' })).body).id;
    const direct = JSON.parse((await post(intake, lead)).body).id;
    const rows = await sql(server.databaseUrl, 'select id, source from lead where id = any($1)', [[proxied, direct]]);
    expect(Object.fromEntries(rows.map((r) => [r.id, r.source]))).toEqual({ [proxied]: '203.0.113.9', [direct]: '127.0.0.1' });
  });

  it('ends the query behind an export the client abandons', async () => {
    await insertLeads(server.databaseUrl, 'intake-test', ['download', 'backup'], 100_000, `jsonb_build_object('first_name', 'Lead ' || g, 'email', g || '@example.com')`);
    const copies = async () =>
      Number((await sql(server.databaseUrl, `select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike 'copy%'`))[0].n);
    const url = new URL(server.url);
    await new Promise<void>((resolve, reject) => {
      const req = http.get({ host: url.hostname, port: url.port, path: '/v1/campaigns/intake-test/export', headers: server.admin }, (res) => {
        expect(res.statusCode).toBe(200);
        res.once('data', async () => {
          // Unread, the download holds the query back: it is still running a while later.
          res.pause();
          await new Promise((r) => setTimeout(r, 1_000));
          expect(await copies()).toBe(1);
          req.destroy();
          resolve();
        });
      });
      req.on('error', (err) => (err.message === 'socket hang up' ? undefined : reject(err)));
    });
    const deadline = Date.now() + 5_000;
    while ((await copies()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(await copies()).toBe(0);
  }, 60_000);
});
