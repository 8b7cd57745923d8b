/**
 * The campaign author's loop (issue 11, "fast loop"): how long `npm run campaigns:check` and
 * `npm run cli -- preview …` take on the shipped examples when nothing was rebuilt, against
 * `node -e 0` (the floor: starting Node at all). Each command runs 5 times; medians. The build is
 * made first if stale (scripts/build-if-stale.js), and not counted.
 * `npm run bench -- cli-loop` → bench/results/cli-loop.json.
 */
import { execFileSync, execSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { machine, ROOT, table } from './support/bench-kit';

const RUNS = 5;
const LEAD = '{"first_name":"Ana","email":"ana@example.com","zip":"78701"}';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timed(command: string, args: string[]): number {
  const runs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    execFileSync(command, args, { cwd: ROOT, stdio: 'ignore', env: { ...process.env, LOG_LEVEL: 'silent' } });
    runs.push(performance.now() - started);
  }
  return Math.round(median(runs));
}

export async function main() {
  execSync('node scripts/build-if-stale.js', { cwd: ROOT, stdio: 'inherit' });
  const rows = [
    { what: 'floor: node -e 0', ms: timed(process.execPath, ['-e', '0']) },
    { what: 'npm run campaigns:check (shipped examples)', ms: timed('npm', ['run', '-s', 'campaigns:check']) },
    { what: 'npm run cli -- preview solar-tx acme-crm …', ms: timed('npm', ['run', '-s', 'cli', '--', 'preview', 'solar-tx', 'acme-crm', LEAD]) },
    { what: 'build-if-stale alone (nothing to build)', ms: timed(process.execPath, ['scripts/build-if-stale.js']) },
  ];
  console.log(table(rows));
  const worst = Math.max(rows[1].ms, rows[2].ms);
  console.log(`\nslowest command with nothing rebuilt: ${worst} ms (target ≤ 3000 ms)`);
  return { machine: machine(), runs: RUNS, rows, targetMs: 3000, met: worst <= 3000 };
}
