import { spawn, type ChildProcess } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';

export const ROOT = path.resolve(__dirname, '../..');
export const PG = 'postgres://postgres@127.0.0.1:5432';

export function machine() {
  const cpus = os.cpus();
  return { cpus: cpus.length, model: cpus[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()}` };
}

export async function recreateDatabase(name: string): Promise<string> {
  const c = new Client({ connectionString: `${PG}/postgres` });
  await c.connect();
  await c.query(`drop database if exists "${name}" with (force)`);
  await c.query(`create database "${name}"`);
  await c.end();
  return `${PG}/${name}`;
}

export async function dropDatabase(name: string): Promise<void> {
  const c = new Client({ connectionString: `${PG}/postgres` });
  await c.connect();
  await c.query(`drop database if exists "${name}" with (force)`);
  await c.end();
}

/** Starts a process and waits until `url` answers 200 (or throws with its output). */
export async function startProcess(args: string[], env: NodeJS.ProcessEnv, readyUrl: string, timeoutMs = 60_000): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`process exited early:\n${output}`);
    try {
      const res = await fetch(readyUrl);
      if (res.ok) return child;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill('SIGKILL');
  throw new Error(`process not ready after ${timeoutMs} ms:\n${output}`);
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await done;
  clearTimeout(timer);
}

/** Peak resident memory of a process, sampled from /proc while `work` runs. */
export async function peakRss<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; peakRssMB: number }> {
  const fs = await import('node:fs');
  let peak = 0;
  const sample = () => {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) / 1024);
    } catch {
      // process gone
    }
  };
  const timer = setInterval(sample, 50);
  try {
    sample();
    const result = await work();
    sample();
    return { result, peakRssMB: Math.round(peak) };
  } finally {
    clearInterval(timer);
  }
}

export function table(rows: Record<string, unknown>[]): string {
  const cols = Object.keys(rows[0] ?? {});
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(width[i])).join('  ');
  return [line(cols), line(width.map((w) => '-'.repeat(w))), ...rows.map((r) => line(cols.map((c) => String(r[c]))))].join('\n');
}

/**
 * A `new_lead` CTE inserting leads `from`..`to` of a campaign as intake stores them (normalised
 * values, a few awkward ones: commas, quotes, accents, formula text); follow it with the
 * dispatches the benchmark needs.
 */
export function generatedLeadsCte(campaign: string, from: number, to: number): string {
  return `
    with new_lead as (
      insert into lead (id, campaign_id, campaign_version, data, raw, received_at, source)
      select gen_random_uuid(), '${campaign}', (select version from campaign where id = '${campaign}'), d.data, d.data,
             timestamptz '2026-01-01 00:00:00+00' + g * interval '10 milliseconds', null
        from generate_series(${from}, ${to}) g,
        lateral (select jsonb_build_object(
          'first_name', (array['James','Mary','José','Zoë','Patricia','Robert','Jennifer','Michael'])[1 + g % 8]
                        || case when g % 997 = 0 then ', Jr.' when g % 1999 = 0 then '=HYPERLINK("x")' else '' end,
          'last_name', (array['Smith','Johnson','O''Brien','García','Nguyen','Müller','Brown'])[1 + g % 7],
          'email', 'user' || g || '@example.com',
          'phone', (5120000000 + g % 9999999)::text,
          'zip', lpad((10000 + g % 89999)::text, 5, '0'),
          'state', (array['TX','CA','NY','FL'])[1 + g % 4]) as data) d
      returning id, received_at)`;
}
