import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import {
  dispatchCounts,
  dropDatabase,
  intakeLoad,
  loadAverage,
  machine,
  PG,
  recreateDatabase,
  removeRedisPrefix,
  ROOT,
  round,
  serverEnv,
  startProcess,
  startServer,
  stopProcess,
  table,
  type IntakeLoad,
} from './support/bench-kit';

/**
 * B1 intake (quality.md): leads/s over loopback at 64 connections, leadrelay against a bare
 * node http + pg INSERT + Redis LPUSH server in the same run; then p99 at half of each peak. And
 * leadrelay again with the same campaign whose deliveries declare every buyer-contract control
 * their mode takes, none binding (bench/campaigns-contracts): within 10 % of the run without.
 * Both leadrelay runs post a new email on every request (the dedupe must check, never bind);
 * the floor posts the one fixed lead. BENCH_CONTRACTS_FIRST=1 measures the controls first.
 */
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONTRACTS_FIRST = process.env.BENCH_CONTRACTS_FIRST === '1';

interface Measured {
  name: string;
  peak: IntakeLoad;
  half: IntakeLoad;
  /** leadrelay's dispatches afterwards by delivery and status, and its duplicate keys. */
  dispatches?: Record<string, number>;
}

async function measure(name: string, start: () => Promise<ChildProcess>, url: string, uniqueEmails: boolean): Promise<Measured> {
  const child = await start();
  try {
    const load = (rate?: number) => intakeLoad(url, { rate, seconds: DURATION_S, uniqueEmails });
    await load(500); // warm-up (JIT, pools)
    const peak = await load();
    const half = await load(Math.max(1, Math.round(peak.acceptedPerSec / 2)));
    return { name, peak, half };
  } finally {
    await stopProcess(child);
  }
}

/** leadrelay (role api) on a database and queue prefix of its own, with the campaigns of `campaigns`. */
function leadrelay(name: string, campaigns: string, database: string, prefix: string, port: number): () => Promise<Measured> {
  return async () => {
    const measured = await measure(name, () => startServer('api', port, serverEnv(database, campaigns, prefix)), `http://127.0.0.1:${port}/v1/campaigns/bench/leads`, true);
    return { ...measured, dispatches: await dispatchCounts(database) };
  };
}

export async function main() {
  const run = Date.now();
  const plainDb = 'leadrelay_bench_intake';
  const contractsDb = 'leadrelay_bench_intake_contracts';
  const floorDb = 'leadrelay_bench_intake_floor';
  const prefixes = [`bench_${run}`, `bench_contracts_${run}`];
  await recreateDatabase(floorDb);
  await dropDatabase(plainDb);
  await dropDatabase(contractsDb);
  const loadBefore = loadAverage();
  try {
    const floor = await measure(
      'floor (node http + pg INSERT + LPUSH)',
      () => startProcess([path.join(ROOT, 'bench/support/intake-floor.server.js')], { ...process.env, DATABASE_URL: `${PG}/${floorDb}`, PORT: '3101' }, 'http://127.0.0.1:3101/health'),
      'http://127.0.0.1:3101/leads',
      false,
    );
    const runPlain = leadrelay('leadrelay (role api)', 'campaigns', plainDb, prefixes[0], 3102);
    const runContracts = leadrelay('leadrelay, controls declared, not binding', 'campaigns-contracts', contractsDb, prefixes[1], 3103);
    const [first, second] = CONTRACTS_FIRST ? [runContracts, runPlain] : [runPlain, runContracts];
    const firstResult = await first();
    const secondResult = await second();
    const [plain, contracts] = CONTRACTS_FIRST ? [secondResult, firstResult] : [firstResult, secondResult];
    const loadAfter = loadAverage();

    const rows = [floor, plain, contracts].map((r) => ({
      server: r.name,
      'peak req/s': r.peak.acceptedPerSec,
      'p50 ms': r.peak.p50Ms,
      'p99 ms': r.peak.p99Ms,
      'half-rate p99 ms': r.half.p99Ms,
      errors: r.peak.errors + r.peak.timeouts + r.peak.non2xx,
    }));
    const ratio = round(plain.peak.acceptedPerSec / floor.peak.acceptedPerSec, 2);
    const contractsRatio = round(contracts.peak.acceptedPerSec / plain.peak.acceptedPerSec, 2);
    console.log(table(rows));
    console.log(`\nratio leadrelay/floor: ${ratio}× (target ≥ 0.5×); leadrelay p99 at half its peak: ${plain.half.p99Ms} ms (target ≤ 25 ms)`);
    console.log(
      `ratio with controls/without: ${contractsRatio}× (target ≥ 0.9×), ${CONTRACTS_FIRST ? 'controls measured first' : 'controls measured second'}; ` +
        `load average before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')}`,
    );
    for (const r of [plain, contracts]) console.log(`${r.name}, dispatches afterwards: ${JSON.stringify(r.dispatches)}`);
    return {
      name: 'intake',
      date: new Date().toISOString(),
      machine: machine(),
      loadAverage: { before: loadBefore, after: loadAfter },
      durationS: DURATION_S,
      order: CONTRACTS_FIRST ? 'floor, contracts, leadrelay' : 'floor, leadrelay, contracts',
      floor,
      leadrelay: plain,
      contracts,
      ratio,
      contractsRatio,
      targets: { ratio: 0.5, halfRateP99Ms: 25, contractsRatio: 0.9 },
    };
  } finally {
    await dropDatabase(floorDb);
    await dropDatabase(plainDb);
    await dropDatabase(contractsDb);
    for (const prefix of prefixes) await removeRedisPrefix(prefix);
  }
}
