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
  settleDatabase,
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
 * the floor posts the one fixed lead. The two leadrelay runs go in the order A B B A (without,
 * with, with, without; BENCH_CONTRACTS_FIRST=1: B A A B), the second pair measuring the peak only,
 * and the ratio is of the summed peaks: a machine whose speed drifts during the run moves both
 * sides alike. Each run starts after a CHECKPOINT, so none pays for the dirty pages of the one before.
 */
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONTRACTS_FIRST = process.env.BENCH_CONTRACTS_FIRST === '1';
const ORDER = CONTRACTS_FIRST ? 'with, without, without, with' : 'without, with, with, without';

interface Measured {
  name: string;
  peak: IntakeLoad;
  half: IntakeLoad;
  /** leadrelay's dispatches afterwards by delivery and status, and its duplicate keys. */
  dispatches?: Record<string, number>;
}

async function measure(name: string, start: () => Promise<ChildProcess>, url: string, uniqueEmails: boolean): Promise<Measured>;
async function measure(name: string, start: () => Promise<ChildProcess>, url: string, uniqueEmails: boolean, peakOnly: true): Promise<Omit<Measured, 'half'>>;
async function measure(name: string, start: () => Promise<ChildProcess>, url: string, uniqueEmails: boolean, peakOnly = false) {
  await settleDatabase();
  const child = await start();
  try {
    const load = (rate?: number) => intakeLoad(url, { rate, seconds: DURATION_S, uniqueEmails });
    await load(500); // warm-up (JIT, pools)
    const peak = await load();
    if (peakOnly) return { name, peak };
    const half = await load(Math.max(1, Math.round(peak.acceptedPerSec / 2)));
    return { name, peak, half };
  } finally {
    await stopProcess(child);
  }
}

/** leadrelay (role api) on a database and queue prefix of its own, with the campaigns of `campaigns`. */
function leadrelay(name: string, campaigns: string, database: string, prefix: string, port: number) {
  const start = () => startServer('api', port, serverEnv(database, campaigns, prefix));
  const url = `http://127.0.0.1:${port}/v1/campaigns/bench/leads`;
  return {
    full: async (): Promise<Measured> => ({ ...(await measure(name, start, url, true)), dispatches: await dispatchCounts(database) }),
    /** The peak again, on a database of its own (the first run's leads would slow it). */
    peak: async (): Promise<IntakeLoad> => {
      await dropDatabase(database);
      try {
        return (await measure(name, start, url, true, true)).peak;
      } finally {
        await dropDatabase(database);
      }
    },
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
    const [a, b] = CONTRACTS_FIRST ? [runContracts, runPlain] : [runPlain, runContracts];
    const aFull = await a.full();
    const bFull = await b.full();
    const bPeak = await b.peak();
    const aPeak = await a.peak();
    const [plain, contracts] = CONTRACTS_FIRST ? [bFull, aFull] : [aFull, bFull];
    const [plainAgain, contractsAgain] = CONTRACTS_FIRST ? [bPeak, aPeak] : [aPeak, bPeak];
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
    const contractsRatio = round((contracts.peak.acceptedPerSec + contractsAgain.acceptedPerSec) / (plain.peak.acceptedPerSec + plainAgain.acceptedPerSec), 2);
    console.log(table(rows));
    console.log(`\nratio leadrelay/floor: ${ratio}× (target ≥ 0.5×); leadrelay p99 at half its peak: ${plain.half.p99Ms} ms (target ≤ 25 ms)`);
    console.log(
      `ratio with controls/without: ${contractsRatio}× (target ≥ 0.9×), summed peaks of ${ORDER} ` +
        `(${plain.peak.acceptedPerSec} + ${plainAgain.acceptedPerSec} without, ${contracts.peak.acceptedPerSec} + ${contractsAgain.acceptedPerSec} with); ` +
        `load average before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')}`,
    );
    for (const r of [plain, contracts]) console.log(`${r.name}, dispatches afterwards: ${JSON.stringify(r.dispatches)}`);
    return {
      name: 'intake',
      date: new Date().toISOString(),
      machine: machine(),
      loadAverage: { before: loadBefore, after: loadAfter },
      durationS: DURATION_S,
      order: `floor, ${ORDER}`,
      floor,
      leadrelay: plain,
      contracts,
      peaksAgain: { leadrelay: plainAgain, contracts: contractsAgain },
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
