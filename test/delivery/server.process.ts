import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const MAIN = path.join(ROOT, 'dist/apps/server/src/main.js');
const KEPT_OUTPUT = 64 * 1024;

/**
 * The built server (`npm run build`) as a child process, for what only a real process shows:
 * SIGKILL in the middle of work, a graceful SIGTERM. Ready when it logs that it is up.
 */
export class ServerProcess {
  private output = '';
  private readonly streams = { stdout: '', stderr: '' };
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(readonly child: ChildProcess) {
    const keep = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      this.output = (this.output + chunk.toString('utf8')).slice(-KEPT_OUTPUT);
      this.streams[stream] = (this.streams[stream] + chunk.toString('utf8')).slice(-KEPT_OUTPUT);
    };
    child.stdout!.on('data', keep('stdout'));
    child.stderr!.on('data', keep('stderr'));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  static async start(env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<ServerProcess> {
    if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} is missing: run \`npm run build\` first (npm test does)`);
    const server = new ServerProcess(spawn(process.execPath, [MAIN], { cwd: ROOT, env: { ...env, LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'pipe'] }));
    const deadline = Date.now() + timeoutMs;
    while (!server.output.includes('leadrelay is up')) {
      if (server.child.exitCode !== null || server.child.signalCode !== null) throw new Error(`server exited before it was up:\n${server.output}`);
      if (Date.now() > deadline) {
        server.child.kill('SIGKILL');
        throw new Error(`server not up after ${timeoutMs} ms:\n${server.output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return server;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last 64 KB it wrote (pino JSON lines), for failure messages. */
  get log(): string {
    return this.output;
  }

  /** The last 64 KB it wrote on one stream: stdout carries the JSON log, stderr what is printed for people. */
  written(stream: 'stdout' | 'stderr'): string {
    return this.streams[stream];
  }

  /** Sends `signal` and waits for the exit, SIGKILL after `timeoutMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 20_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.running) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
