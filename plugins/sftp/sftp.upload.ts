import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { pipeline, Transform } from 'node:stream';
import SftpClient from 'ssh2-sftp-client';
import type { BatchFile, DeliveryResult, PluginTools, RecordedRequest } from '@leadrelay/sdk/plugin';
import type { SftpPluginOptions } from './sftp.options';

/** SFTP status codes (draft-ietf-secsh-filexfer-02 §7) that say what a refused request meant. */
const NO_SUCH_FILE = 2;
const PERMISSION_DENIED = 3;
const OP_UNSUPPORTED = 8;

/** Closing a connection that does not close by itself waits no longer than this, then drops it. */
const CLOSE_MS = 2_000;

/** `sftp://user@host:port/folder/name`, as operators see an upload in attempt logs (no secrets). */
export function sftpUrl(options: SftpPluginOptions, remotePath: string): string {
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return `sftp://${encodeURIComponent(options.username)}@${host}:${options.port}${remotePath}`;
}

/** Where a batch file goes: `<path>/<fileName>`. */
export function remotePathOf(options: SftpPluginOptions, fileName: string): string {
  return posix.join(options.path, fileName);
}

/** A step that went wrong, already read as the outcome it is. */
class UploadFailure extends Error {
  constructor(
    readonly outcome: 'rejected' | 'retry',
    reason: string,
    readonly error?: string,
    readonly configError?: boolean,
  ) {
    super(reason);
  }
}

/** A step that made no progress for too long. */
class StepTimeout extends Error {
  constructor(step: string, ms: number) {
    super(`${step} timed out after ${ms} ms`);
  }
}

/**
 * Uploads one batch file: `<name>.part`, then renamed to `<name>`, over one connection that is
 * always closed. Never throws for server or network trouble: the outcome says what happened.
 */
export async function uploadBatchFile(options: SftpPluginOptions, file: BatchFile, leadCount: number, tools: PluginTools): Promise<DeliveryResult> {
  const remote = remotePathOf(options, file.fileName);
  let sent = 0;
  const request = (): RecordedRequest => ({ method: 'SFTP', url: sftpUrl(options, remote), headers: {}, body: `${sent} bytes, ${leadCount} lead(s)` });
  // The host renders the name from the delivery's pattern; a `/` in it would write elsewhere.
  if (file.fileName !== posix.basename(file.fileName) || file.fileName === '..' || file.fileName === '.') {
    return { outcome: 'rejected', reason: `the file name '${file.fileName}' is not a plain file name`, configError: true, request: request() };
  }
  const connection = new SftpConnection(options, tools);
  try {
    await connection.open();
    const part = `${remote}.part`;
    await connection.put(file, part, (n) => (sent += n));
    await connection.replace(part, remote);
    return { outcome: 'delivered', reference: remote, request: request() };
  } catch (err) {
    if (!(err instanceof UploadFailure)) throw err;
    return { outcome: err.outcome, reason: err.message, error: err.error, configError: err.configError, request: request() };
  } finally {
    await connection.close();
  }
}

/** One connection to the buyer's server, every step under a deadline, every failure read as an outcome. */
class SftpConnection {
  private readonly client: SftpClient;
  /** The first error ssh2 raised: it keeps `level` (e.g. `client-authentication`), which the wrapper's errors drop. */
  private firstError: (Error & { level?: string; code?: string | number }) | undefined;
  /** The fingerprint the server offered, when it was not the delivery's hostKey. */
  private refusedHostKey: string | undefined;
  private readonly where: string;

  constructor(
    private readonly options: SftpPluginOptions,
    private readonly tools: PluginTools,
  ) {
    this.where = `${options.host}:${options.port}`;
    // The wrapper's default handlers for events outside a call write to the console; an error
    // after end() (a reset some servers send on close, ssh2-sftp-client#553) is no news here.
    this.client = new SftpClient('leadrelay-sftp', {
      error: (err) => tools.logger.info({ host: this.where, err: (err as Error)?.message }, 'sftp connection error outside an operation (ignored)'),
      end: () => undefined,
      close: () => undefined,
    });
    this.client.on('error', (err: Error) => (this.firstError ??= err));
  }

  async open(): Promise<void> {
    const o = this.options;
    const credentials =
      o.privateKey !== undefined
        ? { privateKey: secret(o.privateKey, 'privateKey'), passphrase: o.passphrase === undefined ? undefined : secret(o.passphrase, 'passphrase') }
        : { password: secret(o.password, 'password') };
    try {
      await within(
        o.timeoutMs,
        `connecting to ${this.where}`,
        this.client.connect({
          host: o.host,
          port: o.port,
          username: o.username,
          ...credentials,
          readyTimeout: o.timeoutMs,
          hostVerifier: (key: Buffer) => {
            // `ssh-keygen -l -E sha256` prints the SHA-256 of the key blob in base64 without padding.
            const offered = `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
            if (offered !== o.hostKey) this.refusedHostKey = offered;
            return offered === o.hostKey;
          },
        }),
      );
    } catch (err) {
      throw this.connectFailure(err as Error);
    }
  }

  /** Uploads the file to `part`; when that fails part-way, tries to remove what was written. */
  async put(file: BatchFile, part: string, counted: (bytes: number) => void): Promise<void> {
    const source = file.open();
    let sourceError: Error | undefined;
    source.once('error', (err: Error) => (sourceError = err));
    const deadline = idleDeadline(this.options.timeoutMs, `uploading ${part}`);
    // Each chunk taken from the file is progress: a big file may take longer than timeoutMs, a
    // stalled upload may not. The count is what the attempt log shows (all of it when delivered).
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        counted(chunk.length);
        deadline.touch();
        done(null, chunk);
      },
    });
    // Errors surface through `put` (the counter fails with its source); this only releases the source.
    pipeline(source, counter, () => undefined);
    try {
      // The wrapper's put() has been seen to neither resolve nor reject when a server misbehaves
      // mid-upload (ssh2-sftp-client#546): the idle deadline is what ends such a wait.
      await deadline.race(this.client.put(counter, part));
    } catch (err) {
      // A source that stays open (e.g. a database cursor behind the file) is let go of.
      counter.destroy();
      const failure = sourceError
        ? new UploadFailure('retry', `the batch file could not be read: ${sourceError.message}`, sourceError.message)
        : this.fileFailure(err as Error, `uploading ${part}`);
      throw await this.withoutPart(failure, part);
    }
  }

  /**
   * Renames `part` to `remote`, replacing a file of that name. The OpenSSH extension
   * posix-rename does it atomically; plain SFTP rename refuses an existing target
   * (ssh2-sftp-client#173, ssh2-streams#152), so without the extension: delete, then rename.
   */
  async replace(part: string, remote: string): Promise<void> {
    const step = `renaming ${part} to ${posix.basename(remote)}`;
    try {
      try {
        await within(this.options.timeoutMs, step, this.client.posixRename(part, remote));
      } catch (err) {
        if (!isUnsupported(err as Error)) throw err;
        await within(this.options.timeoutMs, `replacing ${remote}`, this.client.delete(remote, true));
        await within(this.options.timeoutMs, step, this.client.rename(part, remote));
      }
    } catch (err) {
      throw await this.withoutPart(this.fileFailure(err as Error, step), part);
    }
  }

  /** Always closes: end() has been seen to hang (ssh2-sftp-client#591), so it is bounded, then the socket dropped. */
  async close(): Promise<void> {
    await within(Math.min(CLOSE_MS, this.options.timeoutMs), 'closing', this.client.end()).catch(() => undefined);
    // end() does nothing when the SFTP channel never opened (a refused host key or login), so the
    // ssh2 client underneath is dropped as well; after a clean end it is closed already.
    (this.client as unknown as { client: { destroy(): void } }).client.destroy();
  }

  /** The failure, after trying to remove `part`, so that the buyer never picks up half a file. */
  private async withoutPart(failure: UploadFailure, part: string): Promise<UploadFailure> {
    try {
      await within(Math.min(CLOSE_MS, this.options.timeoutMs), `removing ${part}`, this.client.delete(part, true));
      return failure;
    } catch (err) {
      // When the connection is gone the partial file cannot be removed from here; the next try
      // writes the same name from the start, and its rename replaces it.
      this.tools.logger.warn({ host: this.where, file: part, err: (err as Error).message }, 'partial upload left on the server');
      return new UploadFailure(failure.outcome, `${failure.message} (the partial file ${part} could not be removed)`, failure.error, failure.configError);
    }
  }

  private connectFailure(err: Error): UploadFailure {
    const o = this.options;
    const cause = this.firstError ?? (err as Error & { level?: string; code?: string | number });
    if (this.refusedHostKey !== undefined) {
      return new UploadFailure('rejected', `the host key of ${this.where} is not the delivery's hostKey ${o.hostKey}: the server offered ${this.refusedHostKey}`);
    }
    if (cause.level === 'client-authentication') {
      return new UploadFailure('rejected', `authentication failed for user ${o.username} at ${this.where} (${o.privateKey !== undefined ? 'private key' : 'password'} refused)`);
    }
    if (/^Cannot parse privateKey/.test(err.message)) {
      // ssh2's message says what is wrong with the key (format, missing passphrase), not the key.
      return new UploadFailure('rejected', `privateKey could not be used: ${err.message.replace(/^Cannot parse privateKey:\s*/, '')}`, undefined, true);
    }
    const why = err instanceof StepTimeout ? err.message : `${transient(cause)} connecting to ${this.where}`;
    return new UploadFailure('retry', why, cause.message);
  }

  /** A refused or failed file step: a missing or closed folder fails for good, the rest is worth another try. */
  private fileFailure(err: Error, step: string): UploadFailure {
    const folder = `${this.options.path} on ${this.where}`;
    const code = (err as Error & { code?: string | number }).code;
    if (err instanceof StepTimeout) return new UploadFailure('retry', err.message, err.message);
    if (code === NO_SUCH_FILE) return new UploadFailure('rejected', `the remote folder ${folder} does not exist (${step})`);
    if (code === PERMISSION_DENIED) return new UploadFailure('rejected', `permission denied in the remote folder ${folder} (${step})`);
    const cause = this.firstError ?? err;
    return new UploadFailure('retry', `${step} failed: ${transient(cause as Error & { code?: string | number })}`, cause.message);
  }
}

/** A server or network failure in operators' words. */
function transient(err: Error & { level?: string; code?: string | number }): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host name not found (DNS)';
    case 'ETIMEDOUT':
      return 'timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
  }
  if (err.level === 'client-timeout') return 'timed out';
  if (err.level === 'client-dns') return 'host name not found (DNS)';
  return err.message;
}

/** posix-rename not offered (ssh2 says so before sending) or refused as unsupported by the server. */
function isUnsupported(err: Error): boolean {
  return /does not support/i.test(err.message) || (err as Error & { code?: unknown }).code === OP_UNSUPPORTED;
}

/** The host resolves env() before options reach a plugin; a reference here would log in with nothing. */
function secret(value: SftpPluginOptions['password'], name: string): string {
  if (typeof value === 'string') return value;
  if (value === undefined) throw new Error(`${name} is missing (prepare should have refused these options)`);
  throw new Error(`${name} env('${value.name}') was not resolved by the host`);
}

/** `work`, or a StepTimeout once `ms` pass without it settling. */
function within<T>(ms: number, step: string, work: Promise<T>): Promise<T> {
  return idleDeadline(ms, step).race(work);
}

/** A deadline that `touch()` pushes back: for steps that may be long but must keep moving. */
function idleDeadline(ms: number, step: string): { touch(): void; race<T>(work: Promise<T>): Promise<T> } {
  let timer: NodeJS.Timeout | undefined;
  let settled = false;
  let expire: (err: StepTimeout) => void = () => undefined;
  const arm = () => {
    clearTimeout(timer);
    // A chunk still on its way after the step ended must not start a timer that keeps the process up.
    if (!settled) timer = setTimeout(() => expire(new StepTimeout(step, ms)), ms);
  };
  return {
    touch: arm,
    race<T>(work: Promise<T>): Promise<T> {
      const expired = new Promise<never>((_, reject) => (expire = reject));
      arm();
      return Promise.race([work, expired]).finally(() => {
        settled = true;
        clearTimeout(timer);
      });
    },
  };
}
