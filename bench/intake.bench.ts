import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import {
  cpuBetween,
  dispatchCounts,
  dropDatabase,
  intakeLoad,
  loadAverage,
  machine,
  PG,
  processCpu,
  recreateDatabase,
  removeRedisPrefix,
  ROOT,
  round,
  serverEnv,
  settleDatabase,
  sharedProcesses,
  startProcess,
  startServer,
  stopProcess,
  table,
  walBytesSince,
  walPosition,
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
 * Every leadrelay run also posts at one fixed rate for both (BENCH_CPU_RATE, below either peak) and
 * counts the CPU the server, PostgreSQL and Redis spent per accepted lead: on a machine whose two
 * cores are shared with the load generator, peaks move by ±10 % between runs with nothing changed,
 * CPU per lead less, and less again when divided by the CPU the load generator (this process,
 * the same requests and answers in both runs) spent per lead meanwhile: that yardstick moves
 * with the machine's speed of the moment, so the quotient is the steadiest reading of "within 10 %".
 */
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONTRACTS_FIRST = process.env.BENCH_CONTRACTS_FIRST === '1';
const CPU_RATE = Number(process.env.BENCH_CPU_RATE ?? 800);
const ORDER = CONTRACTS_FIRST ? 'with, without, without, with' : 'without, with, with, without';

/**
 * CPU milliseconds per accepted lead at CPU_RATE: the server, PostgreSQL (all of it) and Redis;
 * and `perGeneratorMs`, that divided by the load generator's own CPU per lead.
 */
interface CpuPerLead {
  load: IntakeLoad;
  leads: number;
  cpuMs: Record<string, number>;
  /** CPU ms of the server, PostgreSQL and Redis together, and of the load generator. */
  spentMs: number;
  generatorMs: number;
  msPerLead: number;
  perGeneratorMs: number;
  walBytesPerLead: number;
}

interface Measured {
  name: string;
  cpu?: CpuPerLead;
  peak: IntakeLoad;
  half: IntakeLoad;
  /** leadrelay's dispatches afterwards by delivery and status, and its duplicate keys. */
  dispatches?: Record<string, number>;
}

async function measure(name: string, start: () => Promise<ChildProcess>, url: string, uniqueEmails: boolean, database?: string): Promise<Measured>;
async function measure(name: string, start: () => Promise<ChildProcess>, url: string, uniqueEmails: boolean, database: string, peakOnly: true): Promise<Omit<Measured, 'half'>>;
async function measure(name: string, start: () => Promise<ChildProcess>, url: string, uniqueEmails: boolean, database?: string, peakOnly = false): Promise<Omit<Measured, 'half'> & { half?: IntakeLoad }> {
  await settleDatabase();
  const child = await start();
  try {
    const load = (rate?: number) => intakeLoad(url, { rate, seconds: DURATION_S, uniqueEmails });
    await load(500); // warm-up (JIT, pools)
    const cpu = database ? await cpuPerLead(child.pid!, database, () => load(CPU_RATE)) : undefined;
    const peak = await load();
    const measured = { name, ...(cpu ? { cpu } : {}), peak };
    if (peakOnly) return measured;
    return { ...measured, half: await load(Math.max(1, Math.round(peak.acceptedPerSec / 2))) };
  } finally {
    await stopProcess(child);
  }
}

async function cpuPerLead(serverPid: number, database: string, run: () => Promise<IntakeLoad>): Promise<CpuPerLead> {
  const wal = await walPosition();
  const before = processCpu();
  const load = await run();
  const walBytes = await walBytesSince(wal);
  const cpuMs = cpuBetween(before, processCpu(), {
    server: (p) => p.pid === serverPid,
    'load generator (this process)': (p) => p.pid === process.pid,
    ...sharedProcesses(database),
  });
  const { 'everything else on the machine': _elsewhere, 'load generator (this process)': generator, ...ours } = cpuMs;
  const leads = load.statusCodes['201'] ?? 0;
  const spent = Object.values(ours).reduce((a, b) => a + b, 0);
  return {
    load,
    leads,
    cpuMs,
    spentMs: spent,
    generatorMs: generator,
    msPerLead: round(spent / leads, 3),
    perGeneratorMs: round(spent / generator, 2),
    walBytesPerLead: Math.round(walBytes / leads),
  };
}

/** CPU per lead over several runs, and per generator ms: the sums of their parts. */
function cpuOf(runs: (CpuPerLead | undefined)[]): { msPerLead: number; perGeneratorMs: number } {
  const measured = runs.filter((r): r is CpuPerLead => r !== undefined);
  const sum = (f: (r: CpuPerLead) => number) => measured.reduce((a, r) => a + f(r), 0);
  const spent = sum((r) => r.spentMs);
  return { msPerLead: round(spent / sum((r) => r.leads), 3), perGeneratorMs: round(spent / sum((r) => r.generatorMs), 2) };
}

/** leadrelay (role api) on a database and queue prefix of its own, with the campaigns of `campaigns`. */
function leadrelay(name: string, campaigns: string, database: string, prefix: string, port: number) {
  const start = () => startServer('api', port, serverEnv(database, campaigns, prefix));
  const url = `http://127.0.0.1:${port}/v1/campaigns/bench/leads`;
  return {
    full: async (): Promise<Measured> => ({ ...(await measure(name, start, url, true, database)), dispatches: await dispatchCounts(database) }),
    /** The peak again, on a database of its own (the first run's leads would slow it). */
    peak: async (): Promise<Omit<Measured, 'half'>> => {
      await dropDatabase(database);
      try {
        return await measure(name, start, url, true, database, true);
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
    const contractsRatio = round((contracts.peak.acceptedPerSec + contractsAgain.peak.acceptedPerSec) / (plain.peak.acceptedPerSec + plainAgain.peak.acceptedPerSec), 2);
    const cpu = { leadrelay: cpuOf([plain.cpu, plainAgain.cpu]), contracts: cpuOf([contracts.cpu, contractsAgain.cpu]) };
    const cpuRatio = round(cpu.leadrelay.msPerLead / cpu.contracts.msPerLead, 2);
    const cpuPerGeneratorRatio = round(cpu.leadrelay.perGeneratorMs / cpu.contracts.perGeneratorMs, 2);
    console.log(table(rows));
    console.log(`\nratio leadrelay/floor: ${ratio}× (target ≥ 0.5×); leadrelay p99 at half its peak: ${plain.half.p99Ms} ms (target ≤ 25 ms)`);
    console.log(
      `ratio with controls/without: ${contractsRatio}× (target ≥ 0.9×), summed peaks of ${ORDER} ` +
        `(${plain.peak.acceptedPerSec} + ${plainAgain.peak.acceptedPerSec} without, ${contracts.peak.acceptedPerSec} + ${contractsAgain.peak.acceptedPerSec} with); ` +
        `load average before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')}`,
    );
    const runs = (rs: Omit<Measured, 'half'>[], f: (c: CpuPerLead) => number) => rs.map((r) => (r.cpu ? f(r.cpu) : '-')).join(', ');
    console.log(
      `CPU per lead at ${CPU_RATE} leads/s (server + PostgreSQL + Redis, both runs of each): ${cpu.leadrelay.msPerLead} ms without, ${cpu.contracts.msPerLead} ms with ` +
        `→ ${cpuRatio}× (runs: ${runs([plain, plainAgain], (c) => c.msPerLead)} without; ${runs([contracts, contractsAgain], (c) => c.msPerLead)} with)`,
    );
    console.log(
      `the same per ms of the load generator's CPU: ${cpu.leadrelay.perGeneratorMs} without, ${cpu.contracts.perGeneratorMs} with → ${cpuPerGeneratorRatio}× (target ≥ 0.9×; ` +
        `runs: ${runs([plain, plainAgain], (c) => c.perGeneratorMs)} without; ${runs([contracts, contractsAgain], (c) => c.perGeneratorMs)} with); ` +
        `WAL bytes per lead: ${runs([plain, plainAgain], (c) => c.walBytesPerLead)} without, ${runs([contracts, contractsAgain], (c) => c.walBytesPerLead)} with`,
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
      cpuRate: CPU_RATE,
      cpuMsPerLead: cpu,
      ratio,
      contractsRatio,
      cpuRatio,
      cpuPerGeneratorRatio,
      targets: { ratio: 0.5, halfRateP99Ms: 25, contractsRatio: 0.9, cpuRatio: 0.9, cpuPerGeneratorRatio: 0.9 },
    };
  } finally {
    await dropDatabase(floorDb);
    await dropDatabase(plainDb);
    await dropDatabase(contractsDb);
    for (const prefix of prefixes) await removeRedisPrefix(prefix);
  }
}
