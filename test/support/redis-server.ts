import { spawn, type ChildProcess } from 'node:child_process';
import Redis from 'ioredis';
import { closedPort } from '../delivery/delivery.fixtures';

/**
 * A Redis of the test's own (Debian's `redis-server`, nothing on disk) on a fixed port, so that a
 * test can take it away and bring it back — empty — under a running host, and count what the
 * host asks of it without other suites' traffic.
 */
export class RedisServer {
  private child?: ChildProcess;

  private constructor(readonly port: number) {}

  static async create(): Promise<RedisServer> {
    return new RedisServer(await closedPort());
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return Boolean(this.child && this.child.exitCode === null && this.child.signalCode === null);
  }

  async start(): Promise<void> {
    if (this.running) return;
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    this.child = child;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const client = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      try {
        await client.connect();
        await client.ping();
        return;
      } catch (err) {
        if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start on ${this.port}: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        client.disconnect();
      }
    }
  }

  /** Stops it at once (SIGKILL): whatever it held is gone. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** A client for the test's own questions; disconnect it when done. */
  client(): Redis {
    return new Redis(this.url, { maxRetriesPerRequest: 1 });
  }
}
