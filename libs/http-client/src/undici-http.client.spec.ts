import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TransportError, type HttpRequest } from '@leadrelay/sdk/plugin';
import { UndiciHttpClient } from '.';

type Handler = (req: IncomingMessage & { body: string }, res: ServerResponse) => void;

interface TestServer {
  url: string;
  connections: number;
  sockets: Set<Socket>;
  close(): Promise<void>;
}

async function startServer(handler: Handler): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const state = { connections: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(Object.assign(req, { body: Buffer.concat(chunks).toString('utf8') }), res));
  });
  server.on('connection', (socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return state.connections;
    },
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/`;
}

const request = (url: string, extra: Partial<HttpRequest> = {}): HttpRequest => ({
  method: 'POST',
  url,
  headers: { 'content-type': 'text/plain' },
  body: 'hello',
  timeoutMs: 5_000,
  maxResponseBytes: 1_048_576,
  followRedirects: false,
  ...extra,
});

async function transportError(promise: Promise<unknown>): Promise<TransportError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(TransportError);
    return error as TransportError;
  }
  throw new Error('expected a TransportError');
}

describe('UndiciHttpClient', () => {
  const client = new UndiciHttpClient();
  const servers: TestServer[] = [];
  const serve = async (handler: Handler) => {
    const server = await startServer(handler);
    servers.push(server);
    return server;
  };

  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  afterAll(() => client.close());

  it('sends the request and returns status, lower-case headers (repeats joined) and body', async () => {
    let seen: { method?: string; url?: string; body?: string; header?: string } = {};
    const server = await serve((req, res) => {
      seen = { method: req.method, url: req.url, body: req.body, header: req.headers['x-vendor'] as string };
      res.setHeader('X-Lead-Id', 'abc');
      res.setHeader('Set-Cookie', ['a=1', 'b=2']);
      res.writeHead(201, { 'Content-Type': 'application/json' });
      res.end('{"ok":true}');
    });
    const response = await client.send(request(`${server.url}/leads?src=x`, { headers: { 'X-Vendor': 'leadrelay' } }));
    expect(seen).toEqual({ method: 'POST', url: '/leads?src=x', body: 'hello', header: 'leadrelay' });
    expect(response).toMatchObject({ status: 201, body: '{"ok":true}', truncated: false });
    expect(response.headers['x-lead-id']).toBe('abc');
    expect(response.headers['set-cookie']).toBe('a=1, b=2');
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('keeps connections alive between requests to the same origin', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    for (let i = 0; i < 10; i++) await client.send(request(server.url));
    // undici may open a second socket while the first is being handed back; never one per request.
    expect(server.connections).toBeLessThanOrEqual(2);
  });

  it('decodes the body in the charset the response names', async () => {
    const server = await serve((_req, res) => {
      res.setHeader('Content-Type', 'text/plain; charset=ISO-8859-1');
      res.end(Buffer.from([0x63, 0x61, 0x66, 0xe9])); // "café" in Latin-1
    });
    expect((await client.send(request(server.url))).body).toBe('café');
  });

  it('cuts a 10 MB body at maxResponseBytes and drops the connection instead of reading on', async () => {
    const TEN_MB = 10 * 1024 * 1024;
    let serverClosed!: (finished: boolean) => void;
    const finished = new Promise<boolean>((resolve) => (serverClosed = resolve));
    const server = await serve(async (_req, res) => {
      res.on('close', () => serverClosed(res.writableFinished));
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': String(TEN_MB) });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      for (let sent = 0; sent < TEN_MB && !res.destroyed; sent += chunk.length) {
        if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
      }
      res.end();
    });
    const response = await client.send(request(server.url, { maxResponseBytes: 100_000 }));
    expect(response).toMatchObject({ status: 200, truncated: true });
    expect(response.body.length).toBe(100_000);
    // The server never got to finish writing: the client hung up rather than drain 10 MB.
    expect(await finished).toBe(false);
  });

  it('never returns half a character at the cut', async () => {
    const server = await serve((_req, res) => res.end('é'.repeat(1000)));
    const response = await client.send(request(server.url, { maxResponseBytes: 101 }));
    expect(response).toMatchObject({ truncated: true, body: 'é'.repeat(50) });
  });

  it('times out when the server never answers', async () => {
    const server = await serve(() => undefined);
    const error = await transportError(client.send(request(server.url, { timeoutMs: 200 })));
    expect(error.code).toBe('timeout');
  });

  it('times out when the body never ends (the deadline covers the whole exchange)', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('partial');
    });
    const error = await transportError(client.send(request(server.url, { timeoutMs: 300 })));
    expect(error.code).toBe('timeout');
  });

  it('maps a refused connection', async () => {
    const error = await transportError(client.send(request(await closedPortUrl())));
    expect(error.code).toBe('refused');
    expect(error.message).toMatch(/ECONNREFUSED/);
  });

  it('maps a connection the server resets', async () => {
    const server = await serve((req) => req.socket.destroy());
    const error = await transportError(client.send(request(server.url)));
    expect(error.code).toBe('reset');
  });

  it('maps a name that does not resolve', async () => {
    const error = await transportError(client.send(request('http://leadrelay-test.invalid/', { timeoutMs: 10_000 })));
    expect(error.code).toBe('dns');
  });

  it('maps a TLS failure (https to a plain http server)', async () => {
    const server = await serve((_req, res) => res.end('plain'));
    const error = await transportError(client.send(request(server.url.replace('http:', 'https:'))));
    expect(error.code).toBe('tls');
  });

  it('refuses a URL that is not http(s)', async () => {
    expect((await transportError(client.send(request('ftp://example.com/')))).code).toBe('network');
  });

  describe('redirects', () => {
    it('returns a redirect as is unless asked to follow', async () => {
      const server = await serve((req, res) => {
        if (req.url === '/start') res.writeHead(302, { Location: '/end' }).end('moved');
        else res.end(`end ${req.method}`);
      });
      const response = await client.send(request(`${server.url}/start`));
      expect(response).toMatchObject({ status: 302, body: 'moved' });
      expect(response.headers.location).toBe('/end');
    });

    it('follows when asked: 302/303 after POST become GET, 307/308 keep method and body', async () => {
      const server = await serve((req, res) => {
        if (req.url === '/302') res.writeHead(302, { Location: '/end' }).end();
        else if (req.url === '/307') res.writeHead(307, { Location: '/end' }).end();
        else res.end(`${req.method} ${req.body}`);
      });
      expect((await client.send(request(`${server.url}/302`, { followRedirects: true }))).body).toBe('GET ');
      expect((await client.send(request(`${server.url}/307`, { followRedirects: true }))).body).toBe('POST hello');
    });

    it('gives up after 5 redirects', async () => {
      const server = await serve((req, res) => res.writeHead(302, { Location: `/r${Number(req.url!.slice(2) || 0) + 1}` }).end());
      const error = await transportError(client.send(request(`${server.url}/r0`, { followRedirects: true })));
      expect(error).toMatchObject({ code: 'network' });
      expect(error.message).toMatch(/more than 5 redirects/);
    });

    it('keeps credentials on their origin', async () => {
      const other = await serve((req, res) => res.end(`auth=${req.headers.authorization ?? 'none'}`));
      const first = await serve((_req, res) => res.writeHead(307, { Location: `${other.url}/x` }).end());
      const response = await client.send(request(first.url, { followRedirects: true, headers: { authorization: 'Bearer secret' } }));
      expect(response.body).toBe('auth=none');
    });
  });
});
