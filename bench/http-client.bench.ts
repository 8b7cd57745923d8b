/**
 * B2's first decision, measured: raw POSTs per second through axios (keep-alive agent) and through
 * undici, against a local Node http server that answers at once, 64 requests in flight. The server
 * runs in its own process so client and server do not share one event loop.
 * `npm run bench -- http-client`; the runner writes what `main()` returns to bench/results/http-client.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import axios from 'axios';
import { Agent } from 'undici';
import { UndiciHttpClient } from '@leadrelay/http-client';
import { machine } from './support/bench-kit';

const IN_FLIGHT = 64;
const BODY = new URLSearchParams({
  first_name: 'Ann',
  last_name: 'Example',
  email: 'ann@example.com',
  phone: '5125550100',
  zip: '78701',
  state: 'TX',
}).toString();

const SERVER = `
const http = require('node:http');
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' });
    res.end('{"ok":true}');
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(String(server.address().port) + '\\n'));
`;

interface Result {
  client: string;
  requests: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

async function startServer(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', (data: Buffer) => resolve(data.toString().trim()));
  });
  return { url: `http://127.0.0.1:${port}/leads`, child };
}

interface Contender {
  client: string;
  post(): Promise<unknown>;
  close(): Promise<void> | void;
}

/** Keeps `IN_FLIGHT` requests going for `ms`; returns the latencies of those that finished. */
async function burst(contender: Contender, ms: number): Promise<{ latencies: number[]; errors: number; seconds: number }> {
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + ms;
  const started = performance.now();
  const loop = async () => {
    while (performance.now() < deadline) {
      const begun = performance.now();
      try {
        await contender.post();
        latencies.push(performance.now() - begun);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, loop));
  return { latencies, errors, seconds: (performance.now() - started) / 1_000 };
}

/**
 * The machines are shared and their load drifts, so the clients take turns in one-second rounds
 * (after a warm-up round each) rather than one long run each: drift then hits all of them alike.
 */
async function measure(contenders: Contender[], seconds: number): Promise<Result[]> {
  for (const c of contenders) await burst(c, 1_000);
  const totals = contenders.map(() => ({ latencies: [] as number[], errors: 0, seconds: 0 }));
  for (let round = 0; round < seconds; round++) {
    for (const [i, c] of contenders.entries()) {
      const r = await burst(c, 1_000);
      totals[i].latencies.push(...r.latencies);
      totals[i].errors += r.errors;
      totals[i].seconds += r.seconds;
    }
  }
  return contenders.map((c, i) => {
    const { latencies, errors, seconds: elapsed } = totals[i];
    latencies.sort((a, b) => a - b);
    const at = (q: number) => Number((latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(2));
    return {
      client: c.client,
      requests: latencies.length,
      errors,
      seconds: Number(elapsed.toFixed(2)),
      perSecond: Math.round(latencies.length / elapsed),
      p50Ms: at(0.5),
      p99Ms: at(0.99),
    };
  });
}

export async function main(options: { seconds?: number } = {}): Promise<object> {
  const seconds = options.seconds ?? Number(process.env.BENCH_SECONDS ?? 5);
  const { url, child } = await startServer();
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const instance = axios.create({ httpAgent, validateStatus: () => true, responseType: 'text', transformResponse: (d) => d });
  const agent = new Agent({ connections: IN_FLIGHT, keepAliveTimeout: 10_000 });
  const { origin, pathname } = new URL(url);
  const leadrelay = new UndiciHttpClient({ connectionsPerOrigin: IN_FLIGHT });
  const contenders: Contender[] = [
    { client: 'axios (keep-alive agent)', post: () => instance.post(url, BODY, { headers }), close: () => httpAgent.destroy() },
    {
      client: 'undici (Agent.request)',
      post: async () => {
        const response = await agent.request({ origin, path: pathname, method: 'POST', headers, body: BODY });
        await response.body.text();
      },
      close: () => agent.close(),
    },
    {
      client: 'UndiciHttpClient (leadrelay)',
      post: () => leadrelay.send({ method: 'POST', url, headers, body: BODY, timeoutMs: 10_000, maxResponseBytes: 1_048_576, followRedirects: false }),
      close: () => leadrelay.close(),
    },
  ];
  let results: Result[];
  try {
    results = await measure(contenders, seconds);
  } finally {
    for (const c of contenders) await c.close();
    child.kill();
  }

  const baseline = results[0].perSecond || 1;
  console.log(`\nhttp-client: raw POSTs/s, ${IN_FLIGHT} in flight, ${seconds} s each in 1 s turns, local server in its own process\n`);
  console.table(
    results.map((r) => ({
      client: r.client,
      'POSTs/s': r.perSecond,
      'vs axios': `${(r.perSecond / baseline).toFixed(2)}×`,
      'p50 ms': r.p50Ms,
      'p99 ms': r.p99Ms,
      errors: r.errors,
    })),
  );

  return {
    name: 'http-client',
    date: new Date().toISOString(),
    machine: machine(),
    settings: { inFlight: IN_FLIGHT, secondsEach: seconds, turns: '1 s turns after a 1 s warm-up each', bodyBytes: Buffer.byteLength(BODY) },
    results,
  };
}
