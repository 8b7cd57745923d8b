import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const SSHD = '/usr/sbin/sshd';
const run = promisify(execFile);

/** How long sshd may take to listen, or to exit once asked; never longer. */
const START_MS = 10_000;
const STOP_MS = 5_000;

/** A real OpenSSH server on 127.0.0.1 for tests: its own config, keys and upload folder in a temp dir. */
export interface Sshd {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** The user running the tests; it logs in with `privateKey`, and no password of it is known. */
  readonly username: string;
  /** The client key (OpenSSH PEM text) whose public half is in the server's authorized_keys. */
  readonly privateKey: string;
  /** The host key's fingerprint as `ssh-keygen -l -E sha256` prints it: `SHA256:…`. */
  readonly hostKeyFingerprint: string;
  /** An absolute, empty folder to upload to. */
  readonly folder: string;
  /** Stops sshd (new connections are refused); resolves once it has exited. */
  stop(): Promise<void>;
  /** Starts sshd again on the same port (after `stop()`); resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops sshd and removes the temp dir. */
  dispose(): Promise<void>;
}

export interface SshdOptions {
  /**
   * SFTP requests the server neither offers nor serves (`internal-sftp -P`), to play a server
   * that is not OpenSSH, e.g. `['posix-rename']`. Names: `/usr/lib/openssh/sftp-server -Q requests`.
   */
  deniedSftpRequests?: string[];
}

/**
 * Starts `/usr/sbin/sshd -D -e` with a config of its own (no PAM, root login allowed, internal
 * sftp) on a free port, and waits until it accepts connections.
 */
export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
  if (!existsSync(SSHD)) throw new Error(`${SSHD} is missing: install it with \`apt-get install -y openssh-server\``);
  // sshd refuses to start without its privilege-separation directory.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });

  const dir = await mkdtemp(join(tmpdir(), 'leadrelay-sshd-'));
  try {
    const hostKey = join(dir, 'ssh_host_ed25519_key');
    const clientKey = join(dir, 'client_ed25519_key');
    const authorizedKeys = join(dir, 'authorized_keys');
    const folder = join(dir, 'upload');
    const config = join(dir, 'sshd_config');
    await Promise.all([keygen(hostKey), keygen(clientKey), mkdir(folder)]);
    await writeFile(authorizedKeys, await readFile(`${clientKey}.pub`));
    const port = await freePort();
    await writeFile(config, await sshdConfig({ port, hostKey, authorizedKeys, pidFile: join(dir, 'sshd.pid'), denied: options.deniedSftpRequests ?? [] }));

    const server = new SshdProcess(config, port);
    await server.start();
    return {
      host: '127.0.0.1',
      port,
      username: userInfo().username,
      privateKey: await readFile(clientKey, 'utf8'),
      hostKeyFingerprint: await fingerprint(`${hostKey}.pub`),
      folder,
      stop: () => server.stop(),
      start: () => server.start(),
      dispose: async () => {
        await server.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

/** One sshd listener, started and stopped as the tests ask. */
class SshdProcess {
  private child: ChildProcess | undefined;
  private stderr = '';

  constructor(
    private readonly config: string,
    private readonly port: number,
  ) {}

  async start(): Promise<void> {
    if (this.child) return;
    this.stderr = '';
    const child = spawn(SSHD, ['-D', '-e', '-f', this.config], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    // Kept for the error message only, and cut so a chatty server cannot grow it without end.
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4_000)));
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) => reject(new Error(`sshd exited (${signal ?? code}) before it listened on ${this.port}:\n${this.stderr}`))),
    );
    exited.catch(() => undefined);
    try {
      await Promise.race([untilListening(this.port, START_MS), exited]);
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
    await exited;
    clearTimeout(timer);
  }
}

async function sshdConfig(o: { port: number; hostKey: string; authorizedKeys: string; pidFile: string; denied: string[] }): Promise<string> {
  const lines = [
    `Port ${o.port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${o.hostKey}`,
    `PidFile ${o.pidFile}`,
    `AuthorizedKeysFile ${o.authorizedKeys}`,
    'StrictModes no',
    'PermitRootLogin yes',
    'PubkeyAuthentication yes',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    o.denied.length > 0 ? `Subsystem sftp internal-sftp -P ${o.denied.join(',')}` : 'Subsystem sftp internal-sftp',
    // Tests open connections back to back; OpenSSH's default (10:30:100) drops some of them.
    'MaxStartups 100',
    'LogLevel ERROR',
  ];
  // OpenSSH 9.8 and later shut out an address after failed logins (the wrong-password test would
  // lock out the next ones); older versions do not know the option and refuse to start with it.
  if (await hasPerSourcePenalties()) lines.push('PerSourcePenalties no');
  return `${lines.join('\n')}\n`;
}

async function hasPerSourcePenalties(): Promise<boolean> {
  // `sshd -V` prints the version and exits with 0 or 1 depending on the release; read it either way.
  const out = await run(SSHD, ['-V']).then(
    (r) => r.stdout + r.stderr,
    (err: { stdout?: string; stderr?: string }) => `${err.stdout ?? ''}${err.stderr ?? ''}`,
  );
  const m = /OpenSSH_(\d+)\.(\d+)/.exec(out);
  return m !== null && (Number(m[1]) > 9 || (Number(m[1]) === 9 && Number(m[2]) >= 8));
}

async function keygen(file: string): Promise<void> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'leadrelay-test', '-f', file], { timeout: START_MS });
}

/** `SHA256:…` from `ssh-keygen -l -E sha256 -f key.pub`, whose line is `256 SHA256:… comment (ED25519)`. */
async function fingerprint(publicKeyFile: string): Promise<string> {
  const { stdout } = await run('ssh-keygen', ['-l', '-E', 'sha256', '-f', publicKeyFile], { timeout: START_MS });
  const m = /\b(SHA256:[A-Za-z0-9+/]+)/.exec(stdout);
  if (!m) throw new Error(`ssh-keygen printed no SHA256 fingerprint: ${stdout}`);
  return m[1];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function untilListening(port: number, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await accepts(port))) {
    if (Date.now() > deadline) throw new Error(`sshd did not listen on 127.0.0.1:${port} within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1_000);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}
