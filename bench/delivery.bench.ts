import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Pool as PgPool } from 'pg';
import { Pool as HttpPool } from 'undici';
import {
  cpuBetween,
  dispatchCounts,
  dropDatabase,
  loadAverage,
  machine,
  PG,
  processCpu,
  removeRedisPrefix,
  ROOT,
  sharedProcesses,
  startProcess,
  stopProcess,
  table,
} from './support/bench-kit';

/**
 * B2 real-time delivery (quality.md): (a) leads/s delivered end to end by the built server — the
 * leads accepted first by an api process, then a worker process started and timed from the
 * buyer's first arrival until PostgreSQL shows every dispatch delivered; (b) the floor in the same
 * run and the same tables, before and after (a) (the better one counts): a bare loop that claims
 * pending rows, POSTs them with undici keep-alive and updates their status; (c) submit →
 * buyer-received latency at a steady 100 leads/s. (a) and (c) run three times, each on a database and
 * queue prefix of its own: with the campaign as it is, and with its delivery declaring every
 * buyer-contract control, none binding (bench/campaigns-delivery-contracts): within 10 % of a
 * third run with nothing to apply (bench/campaigns-delivery-unbound: the defaults `concurrency:
 * 16` and the breaker lifted). The first run, as shipped, has the default concurrency of 16
 * binding: one buyer's backlog under 64 worker slots. A floor runs before each; BENCH_CONTRACTS_FIRST=1 measures the controls first.
 * The two runs compared go again in the other order (…, A, B, B, A) and their rates are summed.
 * Each (a) also counts the CPU the worker, the api process, PostgreSQL and Redis spent from the
 * first arrival on, per lead and per ms of the buyer server's own CPU (the same work for every
 * lead in every run, so it reads the machine's speed of the moment: the steadier reading).
 */
const LEADS = Number(process.env.BENCH_LEADS ?? 20_000);
const LANES = 64;
const LATENCY_RATE = 100;
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_S ?? 10);
const PORTS = { api: 3201, worker: 3202, buyer: 3203 };
const CAMPAIGN = 'bench-delivery';
const CONTRACTS_FIRST = process.env.BENCH_CONTRACTS_FIRST === '1';
const BUYER = `http://127.0.0.1:${PORTS.buyer}`;
/** The server build to measure (another checkout's, to compare before/after a change). */
const SERVER = process.env.BENCH_SERVER ?? path.join(ROOT, 'dist/apps/server/src/main.js');

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

function lead(i: number): Record<string, string> {
  return { first_name: 'Ana', last_name: 'Lopez', email: `ana.${i}@example.com`, phone: '(512) 555-0100', zip: '78701', state: 'texas' };
}

function percentile(sorted: number[], q: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] : NaN;
}

async function buyerStats(): Promise<{ count: number; first: number; last: number }> {
  return (await fetch(`${BUYER}/stats`)).json() as Promise<{ count: number; first: number; last: number }>;
}

/** Posts one lead to intake; returns its dispatch id and when intake answered. */
async function submit(intake: HttpPool, i: number): Promise<{ dispatchId: string; submittedAt: number; answeredAt: number }> {
  const submittedAt = now();
  const res = await intake.request({
    path: `/v1/campaigns/${CAMPAIGN}/leads`,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'bench-key' },
    body: JSON.stringify(lead(i)),
  });
  const body = (await res.body.json()) as { dispatches?: { id: string }[] };
  const answeredAt = now();
  if (res.statusCode !== 201 || !body.dispatches) throw new Error(`intake answered ${res.statusCode}: ${JSON.stringify(body)}`);
  return { dispatchId: body.dispatches[0].id, submittedAt, answeredAt };
}

async function preload(intake: HttpPool, count: number, offset: number): Promise<number> {
  const started = now();
  let next = 0;
  await Promise.all(
    Array.from({ length: LANES }, async () => {
      while (next < count) await submit(intake, offset + next++);
    }),
  );
  return round(count / ((now() - started) / 1000), 0);
}

async function deliveredCount(db: PgPool, delivery: string): Promise<number> {
  const { rows } = await db.query(`select count(*)::int as n from dispatch_row where campaign_id = $1 and delivery_id = $2 and status = 'delivered'`, [CAMPAIGN, delivery]);
  return rows[0].n;
}

/**
 * (b) The floor: a reader claims pending rows (with their lead) a few hundred at a time; 64 lanes
 * POST them with undici keep-alive and mark each one with its own UPDATE.
 */
async function floor(db: PgPool, delivery: string): Promise<{ leadsPerSec: number; seconds: number }> {
  await db.query(
    `with leads as (
       insert into lead (id, campaign_id, campaign_version, data, raw, received_at)
       select gen_random_uuid(), $1, 'floor', $2::jsonb, $2::jsonb, now() from generate_series(1, $3) returning id)
     insert into dispatch_row (id, lead_id, campaign_id, delivery_id, status, created_at, updated_at)
     select gen_random_uuid(), id, $1, $4, 'pending', now(), now() from leads`,
    [CAMPAIGN, JSON.stringify({ first_name: 'Ana', last_name: 'Lopez', email: 'ana@example.com', phone: '5125550100', zip: '78701', state: 'TX' }), LEADS, delivery],
  );
  await db.query('vacuum analyze dispatch_row');
  const buyer = new HttpPool(BUYER, { connections: LANES, keepAliveTimeout: 10_000 });
  const claimed: { id: string; data: Record<string, unknown> }[] = [];
  let drained = false;
  let claiming: Promise<void> | undefined;
  // Claimed rows are marked with a far next_attempt_at, as a worker's claim would be.
  const claim = async () => {
    const { rows } = await db.query(
      `update dispatch_row d set next_attempt_at = now() + interval '5 minutes', attempts = d.attempts + 1
         from (select id from dispatch_row where campaign_id = $1 and delivery_id = $2 and status = 'pending' and next_attempt_at is null
                limit 512 for update skip locked) c, lead l
        where d.id = c.id and l.id = d.lead_id
       returning d.id, l.data`,
      [CAMPAIGN, delivery],
    );
    claimed.push(...rows);
    if (!rows.length) drained = true;
  };
  const nextRow = async () => {
    while (!claimed.length && !drained) {
      claiming ??= claim().finally(() => (claiming = undefined));
      await claiming;
    }
    if (claimed.length < 256 && !drained && !claiming) claiming = claim().finally(() => (claiming = undefined));
    return claimed.shift();
  };
  const started = now();
  await Promise.all(
    Array.from({ length: LANES }, async () => {
      for (let row = await nextRow(); row; row = await nextRow()) {
        const form = new URLSearchParams();
        for (const [k, v] of Object.entries(row.data)) if (v !== null) form.append(k, String(v));
        const res = await buyer.request({
          path: '/leads',
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': row.id },
          body: form.toString(),
        });
        const answer = JSON.parse(await res.body.text()) as { result?: string };
        const status = res.statusCode < 300 && answer.result === 'success' ? 'delivered' : 'rejected';
        await db.query(`update dispatch_row set status = $2, next_attempt_at = null, updated_at = now() where id = $1`, [row.id, status]);
      }
    }),
  );
  const seconds = (now() - started) / 1000;
  await buyer.close();
  if ((await deliveredCount(db, delivery)) !== LEADS) throw new Error('the floor loop did not deliver every lead');
  return { leadsPerSec: round(LEADS / seconds, 0), seconds: round(seconds, 2) };
}

/** (a) leadrelay: a worker process starts on a queue of LEADS waiting dispatches. */
async function leadrelay(db: PgPool, env: NodeJS.ProcessEnv, database: string, pids: { api: number; buyer: number }) {
  const worker = await startProcess([SERVER], { ...env, LEADRELAY_ROLE: 'worker', PORT: String(PORTS.worker) }, `http://127.0.0.1:${PORTS.worker}/health`);
  const deadline = Date.now() + 10 * 60_000;
  // CPU from the first arrival on, as the timing: the worker's start-up is not delivery.
  let cpu0: ReturnType<typeof processCpu> | undefined;
  let arrivedBefore = 0;
  for (let count = 0; (count = (await buyerStats()).count) < LEADS; await sleep(50)) {
    if (Date.now() > deadline) throw new Error('leadrelay did not deliver every lead within 10 minutes');
    if (count > 0 && !cpu0) [cpu0, arrivedBefore] = [processCpu(), count];
  }
  while ((await deliveredCount(db, 'buyer')) < LEADS) await sleep(10);
  const ended = now();
  const cpuMs = cpuBetween(cpu0 ?? processCpu(), processCpu(), {
    'leadrelay worker': (p) => p.pid === worker.pid,
    'leadrelay api': (p) => p.pid === pids.api,
    'buyer (bench)': (p) => p.pid === pids.buyer,
    'bench (polling)': (p) => p.pid === process.pid,
    ...sharedProcesses(database),
  });
  const { first } = await buyerStats();
  const seconds = (ended - first) / 1000;
  const spent = ['leadrelay worker', 'leadrelay api', ...Object.keys(cpuMs).filter((g) => g.startsWith('postgres') || g.startsWith('redis'))].reduce((a, g) => a + cpuMs[g], 0);
  const delivered = LEADS - arrivedBefore;
  return {
    leadsPerSec: round(LEADS / seconds, 0),
    seconds: round(seconds, 2),
    cpu: { cpuMs, msPerLead: round(spent / delivered, 3), perBuyerMs: round(spent / cpuMs['buyer (bench)'], 2) },
    worker,
  };
}

/** (c) A lead every 10 ms for LATENCY_SECONDS; for each, buyer arrival − intake's answer (and − submit). */
async function latency(intake: HttpPool) {
  await fetch(`${BUYER}/reset`, { method: 'POST' });
  const total = LATENCY_RATE * LATENCY_SECONDS;
  const started = now();
  const sent: Promise<{ dispatchId: string; submittedAt: number; answeredAt: number }>[] = [];
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / LATENCY_RATE - now();
    if (wait > 0) await sleep(wait);
    sent.push(submit(intake, 10_000_000 + i));
  }
  const submitted = await Promise.all(sent);
  const deadline = Date.now() + 30_000;
  while ((await buyerStats()).count < total && Date.now() < deadline) await sleep(50);
  const arrivals = (await (await fetch(`${BUYER}/arrivals`)).json()) as Record<string, number>;
  const fromAnswer = submitted.filter((s) => arrivals[s.dispatchId]).map((s) => arrivals[s.dispatchId] - s.answeredAt).sort((a, b) => a - b);
  const fromSubmit = submitted.filter((s) => arrivals[s.dispatchId]).map((s) => arrivals[s.dispatchId] - s.submittedAt).sort((a, b) => a - b);
  const intakeMs = submitted.map((s) => s.answeredAt - s.submittedAt).sort((a, b) => a - b);
  return {
    rate: LATENCY_RATE,
    seconds: LATENCY_SECONDS,
    sent: total,
    received: fromAnswer.length,
    answeredToBuyer: { p50Ms: round(percentile(fromAnswer, 0.5)), p99Ms: round(percentile(fromAnswer, 0.99)), maxMs: round(fromAnswer[fromAnswer.length - 1]) },
    submitToBuyer: { p50Ms: round(percentile(fromSubmit, 0.5)), p99Ms: round(percentile(fromSubmit, 0.99)), maxMs: round(fromSubmit[fromSubmit.length - 1]) },
    intake: { p50Ms: round(percentile(intakeMs, 0.5)), p99Ms: round(percentile(intakeMs, 0.99)) },
  };
}

interface Variant {
  name: string;
  campaigns: string;
  database: string;
}

const VARIANTS: Variant[] = [
  { name: 'leadrelay', campaigns: 'bench/campaigns-delivery', database: 'leadrelay_bench_delivery' },
  { name: 'leadrelay, no controls, defaults lifted', campaigns: 'bench/campaigns-delivery-unbound', database: 'leadrelay_bench_delivery_unbound' },
  { name: 'leadrelay, controls declared, not binding', campaigns: 'bench/campaigns-delivery-contracts', database: 'leadrelay_bench_delivery_contracts' },
];

/** One variant on a database and queue prefix of its own: its api process, a floor, then (a) and (c). */
async function runVariant(variant: Variant, prefix: string, buyerPid: number) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: `${PG}/${variant.database}`,
    CAMPAIGNS_DIR: path.join(ROOT, variant.campaigns),
    BENCH_BUYER_URL: `${BUYER}/leads`,
    LOG_LEVEL: 'warn',
    ADMIN_TOKENS: 'bench',
    QUEUE_PREFIX: prefix,
    DEMO_BUYER: 'off',
    // Sweeps are kept out of the timing (a sweep at rest costs a few Redis calls, see backlog).
    SWEEP_EVERY_MS: '600000',
  };
  await dropDatabase(variant.database);
  const processes: ChildProcess[] = [];
  const db = new PgPool({ connectionString: env.DATABASE_URL, max: 20 });
  const intake = new HttpPool(`http://127.0.0.1:${PORTS.api}`, { connections: LANES });
  try {
    // The api process creates and migrates the database and applies the campaign.
    const api = await startProcess([SERVER], { ...env, LEADRELAY_ROLE: 'api', PORT: String(PORTS.api) }, `http://127.0.0.1:${PORTS.api}/health`);
    processes.push(api);
    const floorRun = await floor(db, 'floor');
    await fetch(`${BUYER}/reset`, { method: 'POST' });
    const intakeRate = await preload(intake, LEADS, 0);
    await db.query('vacuum analyze dispatch_row');
    const { worker, ...delivered } = await leadrelay(db, env, variant.database, { api: api.pid!, buyer: buyerPid });
    processes.push(worker);
    const latencyResult = await latency(intake);
    const dispatches = await dispatchCounts(variant.database);
    return { name: variant.name, campaigns: variant.campaigns, floor: floorRun, leadrelay: delivered, latency: latencyResult, preloadIntakePerSec: intakeRate, dispatches };
  } finally {
    await intake.close();
    await db.end();
    for (const p of processes.reverse()) await stopProcess(p);
    await dropDatabase(variant.database);
    await removeRedisPrefix(prefix);
  }
}

export async function main() {
  const run = Date.now();
  const buyer = await startProcess([path.join(ROOT, 'bench/support/delivery-buyer.server.js')], { ...process.env, PORT: String(PORTS.buyer) }, `${BUYER}/stats`);
  const loadBefore = loadAverage();
  try {
    const order = CONTRACTS_FIRST ? [...VARIANTS].reverse() : VARIANTS;
    // The two compared runs again, in the other order, each on a fresh database.
    const again = order.filter((v) => v !== VARIANTS[0]).reverse();
    const runs: Awaited<ReturnType<typeof runVariant>>[] = [];
    for (const [i, variant] of [...order, ...again].entries()) runs.push(await runVariant(variant, `bench_delivery_${run}_${i}`, buyer.pid!));
    const loadAfter = loadAverage();
    const [plain, unbound, contracts] = VARIANTS.map((v) => runs.find((r) => r.campaigns === v.campaigns)!);
    const [unboundAgain, contractsAgain] = VARIANTS.slice(1).map((v) => runs.findLast((r) => r.campaigns === v.campaigns)!);
    // The machine's load drifts, and the better floor is the fair one.
    const floorResult = runs.map((r) => r.floor).reduce((a, b) => (b.leadsPerSec > a.leadsPerSec ? b : a));

    const ratio = round(plain.leadrelay.leadsPerSec / floorResult.leadsPerSec, 2);
    // Declared and not binding against nothing to apply: what the controls themselves cost.
    const contractsRatio = round(
      (contracts.leadrelay.leadsPerSec + contractsAgain.leadrelay.leadsPerSec) / (unbound.leadrelay.leadsPerSec + unboundAgain.leadrelay.leadsPerSec),
      2,
    );
    const perBuyerMs = (a: typeof runs[number], b: typeof runs[number]) => round((a.leadrelay.cpu.perBuyerMs + b.leadrelay.cpu.perBuyerMs) / 2, 2);
    const cpuPerBuyerRatio = round(perBuyerMs(unbound, unboundAgain) / perBuyerMs(contracts, contractsAgain), 2);
    console.log(
      table([
        ...runs.map((r, i) => ({ run: `floor, before ${r.name} (claim 512 rows; 64 lanes: undici POST + UPDATE)`, order: i * 2 + 1, 'leads/s': r.floor.leadsPerSec, seconds: r.floor.seconds })),
        ...runs.map((r, i) => ({
          run: `${r.name} (worker process, WORKER_CONCURRENCY ${process.env.WORKER_CONCURRENCY ?? 64})`,
          order: i * 2 + 2,
          'leads/s': r.leadrelay.leadsPerSec,
          seconds: r.leadrelay.seconds,
        })),
      ]),
    );
    console.log(
      `\n${LEADS} leads; ratio leadrelay/better floor: ${ratio}× (target ≥ 0.5×); ratio with controls declared/none and defaults lifted: ${contractsRatio}× ` +
        `(target ≥ 0.9×; summed rates, ${contracts.leadrelay.leadsPerSec} + ${contractsAgain.leadrelay.leadsPerSec} with, ${unbound.leadrelay.leadsPerSec} + ${unboundAgain.leadrelay.leadsPerSec} without)`,
    );
    console.log(
      `CPU of worker + api + PostgreSQL + Redis per lead delivered: ${runs.map((r) => `${r.name} ${r.leadrelay.cpu.msPerLead} ms`).join('; ')}; ` +
        `per ms of the buyer server's CPU: ${runs.map((r) => r.leadrelay.cpu.perBuyerMs).join(', ')} → with controls/without ${cpuPerBuyerRatio}× (target ≥ 0.9×)`,
    );
    for (const r of runs) {
      console.log(
        `${r.name}: leads preloaded through intake at ${r.preloadIntakePerSec}/s; latency at ${LATENCY_RATE} leads/s for ${LATENCY_SECONDS} s (${r.latency.received}/${r.latency.sent} received): ` +
          `intake answered → buyer received p50 ${r.latency.answeredToBuyer.p50Ms} ms, p99 ${r.latency.answeredToBuyer.p99Ms} ms (target ≤ 50 ms); ` +
          `submitted → received p50 ${r.latency.submitToBuyer.p50Ms} ms, p99 ${r.latency.submitToBuyer.p99Ms} ms; dispatches afterwards ${JSON.stringify(r.dispatches)}`,
      );
    }
    console.log(`load average before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')}`);
    return {
      name: 'delivery',
      date: new Date().toISOString(),
      machine: machine(),
      loadAverage: { before: loadBefore, after: loadAfter },
      settings: { leads: LEADS, lanes: LANES, workerConcurrency: Number(process.env.WORKER_CONCURRENCY ?? 64), latencyRate: LATENCY_RATE, latencySeconds: LATENCY_SECONDS },
      order: runs.map((r) => r.name),
      results: {
        floor: floorResult,
        floorRuns: runs.map((r) => r.floor),
        leadrelay: plain.leadrelay,
        ratio,
        latency: plain.latency,
        preloadIntakePerSec: plain.preloadIntakePerSec,
        unbound: { leadrelay: unbound.leadrelay, latency: unbound.latency, preloadIntakePerSec: unbound.preloadIntakePerSec },
        contracts: { leadrelay: contracts.leadrelay, latency: contracts.latency, preloadIntakePerSec: contracts.preloadIntakePerSec },
        again: { unbound: unboundAgain.leadrelay, contracts: contractsAgain.leadrelay },
        contractsRatio,
        cpuPerBuyerRatio,
        dispatches: { leadrelay: plain.dispatches, unbound: unbound.dispatches, contracts: contracts.dispatches },
      },
      targets: { ratio: 0.5, latencyP99Ms: 50, contractsRatio: 0.9, cpuPerBuyerRatio: 0.9 },
      met: { ratio: ratio >= 0.5, latencyP99: plain.latency.answeredToBuyer.p99Ms <= 50, contractsRatio: contractsRatio >= 0.9, cpuPerBuyerRatio: cpuPerBuyerRatio >= 0.9 },
    };
  } finally {
    await stopProcess(buyer);
  }
}
