import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import { TextDecoder } from 'node:util';
import { Agent, type buildConnector, type Dispatcher } from 'undici';
import { TransportError, type HttpClient, type HttpRequest, type HttpResponse } from '@leadrelay/sdk/plugin';
import { privateNetworkConnector, type PrivateNetworkPolicy } from './private-network.policy';
import { toTransportError } from './transport-error.mapping';

export interface UndiciHttpClientOptions {
  /** Sockets kept per buyer origin. @default 128 */
  connectionsPerOrigin?: number;
  /** How long an idle kept-alive socket waits for the next request. @default 10000 */
  keepAliveTimeoutMs?: number;
  /** TLS and socket options for new connections (tests pass a CA here). */
  connect?: buildConnector.BuildOptions;
  /** BLOCK_PRIVATE_NETWORKS: every connection, redirects' included, is judged by it. Unset, none is. */
  privateNetworks?: PrivateNetworkPolicy;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
/**
 * The only headers that follow a redirect to another origin: what the resent body is, and the
 * dispatch's dedupe id. Every other one may be a credential the campaign configured for the first
 * origin (custom headers, Authorization, signatures, cookies) and is dropped.
 */
const CROSS_ORIGIN_HEADERS = new Set(['content-type', 'idempotency-key']);

/**
 * The host's HTTP client (undici: about 5× the raw POST rate of axios on this kind of machine, see
 * bench/http-client.bench.ts). Connections are kept alive and pooled per origin; one deadline
 * covers connecting, sending, the headers and the whole body; the body is read as a stream and
 * cut at `maxResponseBytes`, after which the connection is dropped rather than drained.
 */
export class UndiciHttpClient implements HttpClient {
  private readonly agent: Agent;

  constructor(options: UndiciHttpClientOptions = {}) {
    this.agent = new Agent({
      connections: options.connectionsPerOrigin ?? 128,
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 10_000,
      keepAliveMaxTimeout: 60_000,
      connect: options.privateNetworks ? privateNetworkConnector(options.privateNetworks, options.connect) : options.connect,
    });
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    const started = performance.now();
    // undici also takes an EventEmitter as the abort signal; an AbortSignal costs about a quarter
    // of the POST rate (bench/http-client.bench.ts).
    const abort = new EventEmitter();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      abort.emit('abort');
    }, request.timeoutMs);
    try {
      let current: Exchange = { method: request.method.toUpperCase(), url: request.url, headers: request.headers, body: request.body };
      for (let redirects = 0; ; redirects++) {
        const url = parseUrl(current.url);
        const response = await this.agent.request({
          origin: url.origin,
          path: `${url.pathname}${url.search}`,
          method: current.method as Dispatcher.HttpMethod,
          headers: current.headers,
          body: current.body ?? null,
          signal: abort,
          // The deadline above governs; these only keep undici's 300 s defaults out of the way.
          headersTimeout: request.timeoutMs + 1_000,
          bodyTimeout: request.timeoutMs + 1_000,
        });
        const location = response.headers.location;
        if (request.followRedirects && REDIRECTS.has(response.statusCode) && typeof location === 'string') {
          // A small redirect body is read off so the connection can be reused; a big one is dropped.
          await response.body.dump({ limit: 64 * 1024 }).catch(() => undefined);
          if (redirects === MAX_REDIRECTS) throw new TransportError('network', `more than ${MAX_REDIRECTS} redirects (last to ${location})`);
          current = redirected(current, response.statusCode, new URL(location, url));
          continue;
        }
        const body = await readCapped(response.body, request.maxResponseBytes, charsetOf(response.headers['content-type']));
        return {
          status: response.statusCode,
          headers: flattenHeaders(response.headers),
          body: body.text,
          truncated: body.truncated,
          durationMs: Math.round(performance.now() - started),
        };
      }
    } catch (error) {
      if (timedOut) {
        throw new TransportError('timeout', `no complete response within ${request.timeoutMs} ms`);
      }
      throw toTransportError(error);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Lets in-flight requests finish, then closes every pooled connection. */
  async close(): Promise<void> {
    await this.agent.close();
  }
}

function parseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TransportError('network', `invalid URL: ${url}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TransportError('network', `not an http(s) URL: ${url}`);
  return parsed;
}

type Exchange = { method: string; url: string; headers: Record<string, string>; body?: string | Buffer };

/**
 * The next hop, as browsers do it: 303 (and 301/302 after a POST) becomes a GET without body. Safer
 * than browsers: headers stay on their origin (`CROSS_ORIGIN_HEADERS` aside) and https never
 * steps down to http. Why not undici's redirect interceptor (read in undici 7.30.2's redirect
 * handler): to another origin it drops only Host, Authorization, Cookie and Proxy-Authorization, so
 * a buyer's `X-Api-Key`, partner token or `webhook-signature` would go to wherever it redirects;
 * and it has no scheme check, so https→http is followed. Hence this loop (docs/campaigns.md › Redirects).
 */
function redirected(previous: Exchange, status: number, target: URL): Exchange {
  const from = new URL(previous.url);
  if (from.protocol === 'https:' && target.protocol === 'http:') {
    throw new TransportError('blocked', `a redirect from https to http is not followed (to ${target.origin}${target.pathname})`);
  }
  const toGet = status === 303 || ((status === 301 || status === 302) && previous.method === 'POST');
  const sameOrigin = from.origin === target.origin;
  const headers = Object.fromEntries(
    Object.entries(previous.headers).filter(([name]) => {
      const lower = name.toLowerCase();
      if (!sameOrigin && !CROSS_ORIGIN_HEADERS.has(lower)) return false;
      return !(toGet && (lower === 'content-type' || lower === 'content-length'));
    }),
  );
  return {
    method: toGet && previous.method !== 'HEAD' ? 'GET' : previous.method,
    url: target.toString(),
    headers,
    body: toGet ? undefined : previous.body,
  };
}

/**
 * Reads at most `limit` bytes. Past it, the stream is destroyed: undici drops the connection
 * instead of reading (or keeping) the rest. An unfinished character at the cut is left out.
 * (Events rather than `for await`: the async iterator costs a good share of the POST rate.)
 */
function readCapped(body: Dispatcher.ResponseData['body'], limit: number, charset: string): Promise<{ text: string; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    const onData = (chunk: Buffer) => {
      const room = limit - kept;
      if (chunk.length <= room) {
        chunks.push(chunk);
        kept += chunk.length;
        return;
      }
      chunks.push(chunk.subarray(0, room));
      body.off('data', onData);
      body.off('error', reject);
      body.on('error', () => undefined);
      body.destroy();
      resolve({ text: decode(chunks, charset, true), truncated: true });
    };
    body.on('data', onData);
    body.once('error', reject);
    body.once('end', () => resolve({ text: decode(chunks, charset, false), truncated: false }));
  });
}

function decode(chunks: Buffer[], charset: string, cut: boolean): string {
  const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
  if (!cut && /^utf-?8$/i.test(charset)) return bytes.toString('utf8');
  // Without a final flush, a streaming decoder keeps back an incomplete last character.
  return decoderFor(charset).decode(bytes, { stream: cut });
}

function charsetOf(contentType: string | string[] | undefined): string {
  const value = Array.isArray(contentType) ? contentType[0] : contentType;
  return /charset\s*=\s*"?([^";\s]+)/i.exec(value ?? '')?.[1] ?? 'utf-8';
}

function decoderFor(charset: string): TextDecoder {
  try {
    return new TextDecoder(charset);
  } catch {
    return new TextDecoder('utf-8');
  }
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}
