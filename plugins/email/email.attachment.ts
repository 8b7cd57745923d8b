import { pipeline, Readable, Transform } from 'node:stream';
import { ZipFile } from 'yazl';
import type { BatchFile } from '@leadrelay/sdk/plugin';

/**
 * Whether a file is over `zipOver` is found by reading up to this many bytes of it ahead, which
 * then go into the message first. A larger `zipOver` is checked with `byteLength()` instead (one
 * more pass over the file), so that memory never holds more than this much of a file.
 */
export const READ_AHEAD_LIMIT = 16 * 1024 * 1024;

/** The file as it goes into the message, and what the attempt log says about it. */
export interface PreparedAttachment {
  filename: string;
  contentType: string;
  content: Readable;
  /** The file's own size: known up front for a plain file; counted as it goes into a zip. */
  fileBytes(): number;
  zipped: boolean;
  /** Bytes that went into the message so far (the zip's size once it is sent). */
  sentBytes(): number;
  /** Closes the file whether or not the message took it (a refused sender never reads it). */
  dispose(): void;
}

/**
 * Opens the file for one message: as it is, or zipped when it is larger than `zipOver` bytes.
 * The file is read once (a batch file is a query: a second pass would cost as much as the first),
 * and never held whole: at most `zipOver` bytes are read ahead to decide, then everything streams
 * through the zip writer and a byte counter into nodemailer. A file stream that fails ends the
 * attachment with the error, so the send fails (and is retried) instead of mailing half a file.
 */
export async function openAttachment(file: BatchFile, filename: string, zipOver: number, mtime: Date): Promise<PreparedAttachment> {
  const { over, bytes, stream: source } = await measure(file, zipOver);
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sent += chunk.length;
      callback(null, chunk);
    },
  });
  // The message's reader reports the error; this listener only keeps a late one (after nodemailer
  // let go of the stream) from becoming an uncaught exception.
  counter.on('error', () => undefined);
  const attachment = { content: counter as Readable, sentBytes: () => sent, dispose: () => counter.destroy() };
  // pipeline tears every stream down when one fails or the counter is destroyed early.
  const failed = (err?: Error | null) => {
    if (err) counter.destroy(err);
  };
  if (!over) {
    pipeline(source, counter, failed);
    return { ...attachment, filename, contentType: file.contentType, fileBytes: () => bytes!, zipped: false };
  }
  let fileBytes = 0;
  const fileCounter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      fileBytes += chunk.length;
      callback(null, chunk);
    },
  });
  // yazl does not pass on its input's errors, and reports its own (a size mismatch) on the ZipFile.
  pipeline(source, fileCounter, failed);
  const zip = new ZipFile();
  zip.on('error', (err: Error) => counter.destroy(err));
  counter.once('close', () => fileCounter.destroy());
  // A known size lets yazl check that the whole file went in.
  zip.addReadStream(fileCounter, filename, bytes === undefined ? { mtime } : { size: bytes, mtime });
  zip.end();
  pipeline(zip.outputStream as Readable, counter, failed);
  return { ...attachment, filename: `${filename}.zip`, contentType: 'application/zip', fileBytes: () => fileBytes, zipped: true };
}

/**
 * Whether the file is over `zipOver`, its size when that is known already, and a stream of all of
 * its bytes (the ones read ahead first).
 */
async function measure(file: BatchFile, zipOver: number): Promise<{ over: boolean; bytes?: number; stream: Readable }> {
  if (zipOver >= READ_AHEAD_LIMIT) {
    const bytes = await file.byteLength();
    return { over: bytes > zipOver, bytes, stream: file.open() as Readable };
  }
  const reader = (file.open() as Readable)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let ended = false;
  while (headBytes <= zipOver) {
    // A failing file rejects here and its stream is already destroyed.
    const next = await reader.next();
    if (next.done) {
      ended = true;
      break;
    }
    const chunk: Buffer = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    head.push(chunk);
    headBytes += chunk.length;
  }
  async function* all(): AsyncGenerator<Buffer> {
    let done = ended;
    try {
      while (head.length) yield head.shift()!;
      while (!done) {
        const next = await reader.next();
        if (next.done) done = true;
        else yield next.value;
      }
    } finally {
      // Ended early (the message was refused, or failed): close the file (and its query).
      if (!done) await reader.return?.();
    }
  }
  return { over: !ended, bytes: ended ? headBytes : undefined, stream: Readable.from(all(), { objectMode: false }) };
}
