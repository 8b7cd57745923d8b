import { pipeline, Transform, type Readable } from 'node:stream';
import { ZipFile } from 'yazl';
import type { BatchFile } from '@leadrelay/sdk';

/** The file as it goes into the message, and what the attempt log says about it. */
export interface PreparedAttachment {
  filename: string;
  contentType: string;
  content: Readable;
  /** The file's own size. */
  fileBytes: number;
  zipped: boolean;
  /** Bytes that went into the message so far (the zip's size once it is sent). */
  sentBytes(): number;
  /** Closes the file whether or not the message took it (a refused sender never reads it). */
  dispose(): void;
}

/**
 * Opens the file for one message: as it is, or zipped when it is larger than `zipOver` bytes.
 * Nothing is held in memory: the file streams through the zip writer and a byte counter into
 * nodemailer. A file stream that fails ends the attachment with the error, so the send fails
 * (and is retried) instead of mailing half a file.
 */
export async function openAttachment(file: BatchFile, filename: string, zipOver: number, mtime: Date): Promise<PreparedAttachment> {
  const fileBytes = await file.byteLength();
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
  const source = file.open() as Readable;
  const attachment = { content: counter as Readable, fileBytes, sentBytes: () => sent, dispose: () => counter.destroy() };
  // pipeline tears every stream down when one fails or the counter is destroyed early.
  const failed = (err?: Error | null) => {
    if (err) counter.destroy(err);
  };
  if (fileBytes <= zipOver) {
    pipeline(source, counter, failed);
    return { ...attachment, filename, contentType: file.contentType, zipped: false };
  }
  const zip = new ZipFile();
  // yazl does not pass on its input's errors, and reports its own (a size mismatch) on the ZipFile.
  source.on('error', (err) => counter.destroy(err));
  zip.on('error', (err: Error) => counter.destroy(err));
  counter.once('close', () => source.destroy());
  // Giving the size lets yazl check that the whole file went in.
  zip.addReadStream(source, filename, { size: fileBytes, mtime });
  zip.end();
  pipeline(zip.outputStream as Readable, counter, failed);
  return { ...attachment, filename: `${filename}.zip`, contentType: 'application/zip', zipped: true };
}
