import * as fs from 'node:fs';
import * as path from 'node:path';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon');
import { machine, ROOT, startProcess, stopProcess, table } from './support/bench-kit';

/**
 * The framework's share of intake (B1's open gap): the same JSON-in, JSON-out route as a bare node
 * http server, Nest on Express (what leadrelay runs) and Nest on Fastify; requests/s at 64
 * connections and the server's CPU per request.
 */
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 6);
const LEAD = JSON.stringify({ first_name: 'Ana', last_name: 'Lopez', email: 'Ana@Example.com', phone: '(512) 555-0100', zip: '78701', state: 'texas' });

function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks of 10 ms
}

async function measure(adapter: string, port: number) {
  const child = await startProcess([path.join(ROOT, 'bench/support/adapter-server.js')], { ...process.env, ADAPTER: adapter, PORT: String(port) }, `http://127.0.0.1:${port}/health`);
  try {
    const opts = { url: `http://127.0.0.1:${port}/leads`, method: 'POST', connections: 64, headers: { 'content-type': 'application/json' }, body: LEAD };
    await autocannon({ ...opts, duration: 2 });
    const before = cpuMs(child.pid!);
    const result = await autocannon({ ...opts, duration: DURATION_S });
    const cpu = cpuMs(child.pid!) - before;
    return { adapter, reqPerSec: Math.round(result['2xx'] / DURATION_S), p99ms: result.latency.p99, cpuMsPerRequest: Math.round((cpu / result['2xx']) * 1000) / 1000 };
  } finally {
    await stopProcess(child);
  }
}

export async function main() {
  const results = [];
  for (const [i, adapter] of ['raw', 'express', 'fastify'].entries()) results.push(await measure(adapter, 3201 + i));
  console.log(table(results.map((r) => ({ server: r.adapter, 'req/s': r.reqPerSec, 'p99 ms': r.p99ms, 'CPU ms/request': r.cpuMsPerRequest }))));
  return { name: 'http-adapter', date: new Date().toISOString(), machine: machine(), durationS: DURATION_S, results };
}
