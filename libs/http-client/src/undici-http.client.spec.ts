import { execFileSync } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { TransportError, type HttpRequest } from '@leadrelay/sdk/plugin';
import { PrivateNetworkPolicy, privateNetworkAllowProblems, UndiciHttpClient } from '.';

type Handler = (req: IncomingMessage & { body: string }, res: ServerResponse) => void;

interface TestServer {
  url: string;
  connections: number;
  sockets: Set<Socket>;
  close(): Promise<void>;
}

/** A certificate for 127.0.0.1 and localhost, made for this run by openssl (no key kept in the repository). */
function selfSignedCertificate(): { key: string; cert: string } {
  const out = execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', '-', '-out', '-'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  return { key: /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----/.exec(out)![0], cert: /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(out)![0] };
}

async function startServer(handler: Handler, tls?: { key: string; cert: string }): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const state = { connections: 0 };
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(Object.assign(req, { body: Buffer.concat(chunks).toString('utf8') }), res));
  };
  const server: Server = tls ? createTlsServer(tls, onRequest) : createServer(onRequest);
  server.on(tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    state.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
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
  const serveTls = async (handler: Handler) => {
    const certificate = selfSignedCertificate();
    const server = await startServer(handler, certificate);
    servers.push(server);
    return Object.assign(server, { certificate: certificate.cert });
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

    const configured = {
      'content-type': 'application/json',
      'idempotency-key': 'dispatch-1',
      'user-agent': 'leadrelay',
      authorization: 'Basic dXNlcjpwYXNz',
      'x-api-key': 'key-123',
      'x-partner': 'partner-7',
      'webhook-signature': 'v1,abc',
      cookie: 'session=s1',
    };

    it('sends none of the configured headers to another origin (only the body type and the Idempotency-Key)', async () => {
      const seen: IncomingMessage['headers'][] = [];
      // Two servers on two ports of 127.0.0.1: two origins.
      const other = await serve((req, res) => {
        seen.push(req.headers);
        res.end(`${req.method} ${req.body}`);
      });
      const first = await serve((_req, res) => res.writeHead(307, { Location: `${other.url}/x` }).end());
      const response = await client.send(request(first.url, { followRedirects: true, headers: configured, body: '{"a":1}' }));
      expect(response.body).toBe('POST {"a":1}');
      const { host, connection, 'content-length': length, ...rest } = seen[0];
      expect(rest).toEqual({ 'content-type': 'application/json', 'idempotency-key': 'dispatch-1' });
      expect(length).toBe('7');
    });

    it('keeps every header on a redirect within the same origin', async () => {
      const seen: IncomingMessage['headers'][] = [];
      const server = await serve((req, res) => {
        if (req.url === '/start') return void res.writeHead(308, { Location: '/end' }).end();
        seen.push(req.headers);
        res.end('ok');
      });
      await client.send(request(`${server.url}/start`, { followRedirects: true, headers: configured }));
      expect(seen[0]).toMatchObject(configured);
    });

    it('never follows https to http', async () => {
      const plain = await serve((_req, res) => res.end('should not be reached'));
      const tls = await serveTls((_req, res) => res.writeHead(302, { Location: `${plain.url}/leads?k=1` }).end());
      const tlsClient = new UndiciHttpClient({ connect: { ca: tls.certificate } });
      try {
        expect((await tlsClient.send(request(tls.url))).status).toBe(302);
        const error = await transportError(tlsClient.send(request(tls.url, { followRedirects: true })));
        expect(error).toMatchObject({ code: 'blocked', message: `a redirect from https to http is not followed (to ${plain.url}/leads)` });
        expect(plain.connections).toBe(0);
      } finally {
        await tlsClient.close();
      }
    });
  });

  describe('BLOCK_PRIVATE_NETWORKS (a PrivateNetworkPolicy)', () => {
    const guarded = (allow = '') => {
      const c = new UndiciHttpClient({ privateNetworks: new PrivateNetworkPolicy(allow) });
      clients.push(c);
      return c;
    };
    const clients: UndiciHttpClient[] = [];
    afterEach(async () => {
      await Promise.all(clients.splice(0).map((c) => c.close()));
    });

    it('refuses an address in the URL before connecting, with a reason that names it', async () => {
      const server = await serve((_req, res) => res.end('ok'));
      const error = await transportError(guarded().send(request(server.url)));
      expect(error).toMatchObject({ code: 'blocked', message: '127.0.0.1 is a loopback address (BLOCK_PRIVATE_NETWORKS)' });
      expect(server.connections).toBe(0);
    });

    it('judges a host name by the address it resolves to', async () => {
      const server = await serve((_req, res) => res.end('ok'));
      const error = await transportError(guarded().send(request(server.url.replace('127.0.0.1', 'localhost'))));
      expect(error.code).toBe('blocked');
      expect(error.message).toMatch(/^localhost resolves to (127\.0\.0\.1|::1), which is a loopback address \(BLOCK_PRIVATE_NETWORKS\)$/);
      expect(server.connections).toBe(0);
    });

    it('lets through what the allow-list names: a CIDR, an address, a host name', async () => {
      const server = await serve((_req, res) => res.end('ok'));
      expect((await guarded('10.0.0.0/8, 127.0.0.0/8').send(request(server.url))).body).toBe('ok');
      expect((await guarded('127.0.0.1').send(request(server.url))).body).toBe('ok');
      expect((await guarded('localhost').send(request(server.url.replace('127.0.0.1', 'localhost')))).body).toBe('ok');
      // A name on the list does not let its address through under another name.
      expect((await transportError(guarded('localhost').send(request(server.url)))).code).toBe('blocked');
    });

    it('judges redirect targets too: an allowed buyer cannot send the request on to a refused address', async () => {
      const target = await serve((_req, res) => res.end('internal'));
      const buyer = await serve((_req, res) => res.writeHead(307, { Location: `${target.url}/admin` }).end());
      const error = await transportError(guarded('localhost').send(request(buyer.url.replace('127.0.0.1', 'localhost'), { followRedirects: true })));
      expect(error).toMatchObject({ code: 'blocked', message: '127.0.0.1 is a loopback address (BLOCK_PRIVATE_NETWORKS)' });
      expect(target.connections).toBe(0);
    });
  });
});

describe('PrivateNetworkPolicy', () => {
  const policy = new PrivateNetworkPolicy();

  it.each([
    ['127.0.0.1', 'a loopback'],
    ['127.10.20.30', 'a loopback'],
    ['::1', 'a loopback'],
    ['::ffff:7f00:1', 'a loopback'],
    ['0.0.0.0', 'an unspecified'],
    ['::', 'an unspecified'],
    ['10.1.2.3', 'a private'],
    ['172.16.0.1', 'a private'],
    ['172.31.255.255', 'a private'],
    ['192.168.1.1', 'a private'],
    ['fc00::1', 'a private'],
    ['fd12:3456::1', 'a private'],
    ['169.254.1.1', 'a link-local'],
    ['fe80::1', 'a link-local'],
    ['100.64.0.1', 'a shared (CGNAT)'],
    ['100.127.255.254', 'a shared (CGNAT)'],
    ['169.254.169.254', 'a cloud metadata'],
    ['fd00:ec2::254', 'a cloud metadata'],
  ])('refuses %s (%s address)', (address, kind) => {
    expect(policy.refusal(address)).toBe(`${address} is ${kind} address (BLOCK_PRIVATE_NETWORKS)`);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '192.169.0.1', '2606:4700::1111'])('lets public %s through', (address) => {
    expect(policy.refusal(address)).toBeUndefined();
  });

  it('says which name resolved to the address', () => {
    expect(policy.refusal('10.0.0.7', 'buyer.example')).toBe('buyer.example resolves to 10.0.0.7, which is a private address (BLOCK_PRIVATE_NETWORKS)');
  });

  it('lists every bad allow-list entry at once, and takes CIDRs, addresses and host names', () => {
    expect(privateNetworkAllowProblems('10.0.0.0/8, fd00::/8, 127.0.0.1, buyer.internal, Buyer-2.example.')).toEqual([]);
    expect(privateNetworkAllowProblems('10.0.0.0/33, 300.1.1.1/8, ::1/129, buyer_1.example, 10.0.0.0/8/1, a b')).toEqual([
      "'10.0.0.0/33' is not a CIDR (e.g. 10.0.0.0/8 or fd00::/8)",
      "'300.1.1.1/8' is not a CIDR (e.g. 10.0.0.0/8 or fd00::/8)",
      "'::1/129' is not a CIDR (e.g. 10.0.0.0/8 or fd00::/8)",
      "'buyer_1.example' is neither a CIDR, an IP address nor a host name",
      "'10.0.0.0/8/1' is not a CIDR (e.g. 10.0.0.0/8 or fd00::/8)",
      "'a b' is neither a CIDR, an IP address nor a host name",
    ]);
    expect(() => new PrivateNetworkPolicy('10.0.0.0/33')).toThrow(/PRIVATE_NETWORK_ALLOW/);
  });

  it('lets allow-listed ranges through and keeps refusing the rest', () => {
    const allowing = new PrivateNetworkPolicy('10.20.0.0/16,fd00::/8,169.254.169.254');
    expect(allowing.refusal('10.20.3.4')).toBeUndefined();
    expect(allowing.refusal('fd00::5')).toBeUndefined();
    expect(allowing.refusal('169.254.169.254')).toBeUndefined();
    expect(allowing.refusal('10.21.0.1')).toMatch(/private address/);
    expect(allowing.refusal('169.254.1.1')).toMatch(/link-local address/);
    expect(allowing.allowsHost('Buyer.Internal.')).toBe(false);
    expect(new PrivateNetworkPolicy('buyer.internal').allowsHost('Buyer.Internal.')).toBe(true);
  });
});
