/**
 * The campaign author's loop (issue 11, "fast loop"): how long `npm run campaigns:check` and
 * `npm run cli -- preview | classify | send | plan` take on the shipped examples when nothing was rebuilt, against
 * `node -e 0` (the floor: starting Node at all). Each command runs 5 times; medians. The build is
 * made first if stale (scripts/build-if-stale.js), and not counted.
 * `npm run bench -- cli-loop` → bench/results/cli-loop.json.
 */
import { execFile, execSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { dropDatabase, machine, recreateDatabase, ROOT, table } from './support/bench-kit';

const run = promisify(execFile);
const RUNS = 5;
const LEAD = '{"first_name":"Ana","email":"ana@example.com","zip":"78701"}';
const BUYER_ANSWER = '{"result":"success","id":"bench-1","price":12.5}';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Median wall time of a command; `plan` answers 2 when there are changes, which is not a failure. */
async function timed(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run(command, args, { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent', ...env } }).catch((err: { code?: number }) => {
      if (err.code !== 2) throw err;
    });
    runs.push(performance.now() - started);
  }
  return Math.round(median(runs));
}

const cli = (...args: string[]) => ['run', '-s', 'cli', '--', ...args];

export async function main() {
  execSync('node scripts/build-if-stale.js', { cwd: ROOT, stdio: 'inherit' });
  // `send --live` goes to the shipped example's buyer URL, here a buyer that answers at once.
  const buyer = http.createServer((req, res) => req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(BUYER_ANSWER)));
  await new Promise<void>((resolve) => buyer.listen(0, '127.0.0.1', resolve));
  const buyerUrl = `http://127.0.0.1:${(buyer.address() as AddressInfo).port}/leads`;
  const saved = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'leadrelay-cli-loop-')), 'answer.json');
  fs.writeFileSync(saved, BUYER_ANSWER);
  const database = await recreateDatabase('leadrelay_bench_cli_loop');
  execSync('node dist/apps/cli/src/main.js migrate', { cwd: ROOT, env: { ...process.env, DATABASE_URL: database }, stdio: 'ignore' });
  try {
    const rows = [
      { what: 'floor: node -e 0', ms: await timed(process.execPath, ['-e', '0']) },
      { what: 'npm run campaigns:check (shipped examples, type-checked)', ms: await timed('npm', ['run', '-s', 'campaigns:check']) },
      { what: 'npm run cli -- preview solar-tx acme-crm …', ms: await timed('npm', cli('preview', 'solar-tx', 'acme-crm', LEAD)) },
      { what: 'npm run cli -- classify solar-tx acme-crm <body> --status 200 …', ms: await timed('npm', cli('classify', 'solar-tx', 'acme-crm', saved, '--status', '200', '--content-type', 'application/json')) },
      { what: 'npm run cli -- send solar-tx acme-crm … --live (loopback buyer)', ms: await timed('npm', cli('send', 'solar-tx', 'acme-crm', LEAD, '--live'), { SOLAR_TX_BUYER_URL: buyerUrl }) },
      { what: 'npm run cli -- plan (a migrated, empty database)', ms: await timed('npm', cli('plan'), { DATABASE_URL: database }) },
      { what: 'build-if-stale alone (nothing to build)', ms: await timed(process.execPath, ['scripts/build-if-stale.js']) },
    ];
    console.log(table(rows));
    const commands = rows.slice(1, -1);
    const worst = Math.max(...commands.map((r) => r.ms));
    console.log(`\nslowest command with nothing rebuilt: ${worst} ms (target ≤ 3000 ms)`);
    return { machine: machine(), runs: RUNS, rows, targetMs: 3000, met: worst <= 3000 };
  } finally {
    buyer.close();
    await dropDatabase('leadrelay_bench_cli_loop');
  }
}
