import type { ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Pool as PgPool } from 'pg';
import { Pool as HttpPool } from 'undici';
import { dropDatabase, machine, PG, removeRedisPrefix, round, serverEnv, sleep, startServer, stopProcess, table } from './support/bench-kit';

/**
 * Ping-post (issue 14 item 5): five buyer servers in this process answer their pings in 20, 60,
 * 120 and 250 ms (bids 4, 7, 12, 12) and one never does, with `pingTimeoutMs` 500.
 * (a) Sales one at a time, on the five (bench/campaigns-ping-post/bench-pp) and on the four that
 * answer (bench-pp-answering): each round from its attempts — first ping sent to last ping ended —
 * against its floor, the slowest answer within the time-out as the buyers timed it (or the
 * time-out itself when the silent buyer is pinged); leadrelay's own time is the difference.
 * (b) 200 sales at once on the five: how many were sold and the wall time, submit to the last outcome.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100);
const CONCURRENT = Number(process.env.BENCH_CONCURRENT ?? 200);
const PING_TIMEOUT_MS = 500;
const PORT = 3241;
const BUYERS = [
  { id: 'b20', delayMs: 20, bid: 4 },
  { id: 'b60', delayMs: 60, bid: 7 },
  { id: 'b120', delayMs: 120, bid: 12 },
  { id: 'b250', delayMs: 250, bid: 12 },
  { id: 'silent', delayMs: Infinity, bid: 0 },
];

const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];

/** A buyer that answers each ping after `delayMs` (never when Infinity) and records, by lead, how long it took from the request's last byte. */
function buyerServer(delayMs: number, bid: number): Promise<{ url: string; answerMs: Map<string, number>; server: http.Server }> {
  const answerMs = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const received = performance.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { lead: string };
      res.setHeader('content-type', 'application/json');
      if (req.url === '/post') return res.end('{"result":"success"}');
      if (delayMs === Infinity) return; // never answers: the sale cuts it at pingTimeoutMs
      setTimeout(() => {
        res.end(JSON.stringify({ accepted: true, bid, token: `tok-${body.lead}` }));
        answerMs.set(body.lead, performance.now() - received);
      }, delayMs);
    });
  });
  server.keepAliveTimeout = 60_000;
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, answerMs, server })));
}

async function submit(intake: HttpPool, campaign: string, i: number): Promise<string> {
  const res = await intake.request({
    path: `/v1/campaigns/${campaign}/leads`,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'bench-key' },
    body: JSON.stringify({ zip: '78701', email: `ana.${campaign}.${i}@example.com` }),
  });
  const body = (await res.body.json()) as { id?: string };
  if (res.statusCode !== 201 || !body.id) throw new Error(`intake answered ${res.statusCode}: ${JSON.stringify(body)}`);
  return body.id;
}

async function waitFinal(db: PgPool, leadIds: string[]): Promise<void> {
  for (;;) {
    const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from dispatch_row where lead_id = any($1::uuid[]) and status <> 'pending'`, [leadIds]);
    if (rows[0].n === leadIds.length) return;
    await sleep(20);
  }
}

/** Each lead's ping round from its attempts: first ping sent → last ping ended, and from then to its post. */
async function rounds(db: PgPool, leadIds: string[]): Promise<Map<string, { roundMs: number; toPostMs: number; pinged: string[] }>> {
  const { rows } = await db.query<{ lead_id: string; start: number; end: number; post_at: number | null; pinged: string[] }>(
    `select d.lead_id,
            min(extract(epoch from a.at) * 1000) filter (where a.phase = 'ping') as start,
            max(extract(epoch from a.at) * 1000 + a.duration_ms) filter (where a.phase = 'ping') as end,
            min(extract(epoch from a.at) * 1000) filter (where a.phase = 'post') as post_at,
            array_agg(a.buyer) filter (where a.phase = 'ping') as pinged
       from attempt a join dispatch_row d on d.id = a.dispatch_id
      where d.lead_id = any($1::uuid[]) group by d.lead_id`,
    [leadIds],
  );
  return new Map(rows.map((r) => [r.lead_id, { roundMs: Number(r.end) - Number(r.start), toPostMs: r.post_at === null ? NaN : Number(r.post_at) - Number(r.end), pinged: r.pinged }]));
}

export async function main() {
  const buyers = await Promise.all(BUYERS.map(async (b) => ({ ...b, ...(await buyerServer(b.delayMs, b.bid)) })));
  const database = `leadrelay_bench_ping_post`;
  const prefix = `bench_pp_${process.pid}`;
  const extra: NodeJS.ProcessEnv = { WORKER_CONCURRENCY: String(Math.max(CONCURRENT, 64)), DB_POOL_SIZE: '40' };
  for (const b of buyers) {
    extra[`BENCH_PP_${b.id.toUpperCase()}_PING`] = `${b.url}/ping`;
    extra[`BENCH_PP_${b.id.toUpperCase()}_POST`] = `${b.url}/post`;
  }
  await dropDatabase(database);
  let server: ChildProcess | undefined;
  const db = new PgPool({ connectionString: `${PG}/${database}`, max: 4 });
  const intake = new HttpPool(`http://127.0.0.1:${PORT}`, { connections: 64 });
  try {
    server = await startServer('all', PORT, serverEnv(database, 'campaigns-ping-post', prefix, extra));
    const measured: Record<string, unknown>[] = [];
    for (const campaign of ['bench-pp-answering', 'bench-pp']) {
      // A few sales first: connections to each buyer opened, code paths warm.
      for (let i = 0; i < 5; i++) await waitFinal(db, [await submit(intake, campaign, -1 - i)]);
      const ids: string[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const id = await submit(intake, campaign, i);
        await waitFinal(db, [id]);
        ids.push(id);
      }
      const byLead = await rounds(db, ids);
      const own: number[] = [];
      const roundMs: number[] = [];
      const floorMs: number[] = [];
      const toPost: number[] = [];
      for (const id of ids) {
        const r = byLead.get(id)!;
        const answered = buyers.filter((b) => r.pinged.includes(b.id) && b.answerMs.has(id)).map((b) => b.answerMs.get(id)!);
        const floor = Math.max(...answered, r.pinged.includes('silent') ? PING_TIMEOUT_MS : 0);
        roundMs.push(r.roundMs);
        floorMs.push(floor);
        own.push(r.roundMs - floor);
        toPost.push(r.toPostMs);
      }
      for (const list of [own, roundMs, floorMs, toPost]) list.sort((a, b) => a - b);
      measured.push({
        buyers: campaign === 'bench-pp' ? '5 (one silent)' : '4 answering',
        sales: ids.length,
        'round p50 ms': round(percentile(roundMs, 0.5)),
        'round p99 ms': round(percentile(roundMs, 0.99)),
        'floor p50 ms': round(percentile(floorMs, 0.5)),
        'floor p99 ms': round(percentile(floorMs, 0.99)),
        'own p50 ms': round(percentile(own, 0.5)),
        'own p99 ms': round(percentile(own, 0.99)),
        'round end → post p99 ms': round(percentile(toPost, 0.99)),
      });
    }
    console.log(table(measured));

    // (b) CONCURRENT sales at once.
    const started = performance.now();
    const ids = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => submit(intake, 'bench-pp', 10_000 + i)));
    await waitFinal(db, ids);
    const wallMs = performance.now() - started;
    const { rows } = await db.query<{ status: string; n: number }>(`select status, count(*)::int as n from dispatch_row where lead_id = any($1::uuid[]) group by status`, [ids]);
    const byStatus = Object.fromEntries(rows.map((r) => [r.status, r.n]));
    const concurrentRounds = [...(await rounds(db, ids)).values()].map((r) => r.roundMs).sort((a, b) => a - b);
    const concurrent = {
      sales: CONCURRENT,
      delivered: byStatus.delivered ?? 0,
      other: CONCURRENT - (byStatus.delivered ?? 0),
      'wall ms': round(wallMs, 0),
      'round p50 ms': round(percentile(concurrentRounds, 0.5)),
      'round p99 ms': round(percentile(concurrentRounds, 0.99)),
    };
    console.log(`\n${CONCURRENT} sales at once (bench-pp):\n${table([concurrent])}`);
    return { machine: machine(), pingTimeoutMs: PING_TIMEOUT_MS, buyers: BUYERS.map((b) => ({ id: b.id, delayMs: b.delayMs === Infinity ? null : b.delayMs, bid: b.bid })), sequential: measured, concurrent, byStatus };
  } finally {
    await intake.close();
    await db.end();
    if (server) await stopProcess(server);
    for (const b of buyers) {
      b.server.closeAllConnections();
      b.server.close();
    }
    await removeRedisPrefix(prefix);
    await dropDatabase(database);
  }
}
