import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import type { BatchFile } from '@leadrelay/sdk/plugin';

/**
 * Streams a file as an attachment download (the admin API's and the console's): a client going
 * away ends the query behind the stream, not the server. The reply is taken over from Fastify
 * (`hijack`) and the file piped into the Node response, so a failure half-way is logged here and
 * cuts the connection (the client must not take a short file for a whole one).
 *
 * Nothing is answered before the file's first bytes exist: a stream that cannot start (no free
 * connection in the stream pool within DB_POOL_WAIT_MS, a failing query) throws here, so the
 * client gets a proper error answer (503 for the pool) instead of a 200 that breaks off.
 */
export async function sendFile(reply: FastifyReply, file: BatchFile, logger: Logger): Promise<void> {
  const stream = file.open() as Readable;
  try {
    await once(stream, 'readable');
  } catch (err) {
    stream.destroy();
    throw err;
  }
  reply.hijack();
  const res = reply.raw;
  res.statusCode = 200;
  res.setHeader('Content-Type', file.contentType);
  res.setHeader('Content-Disposition', contentDisposition(file.fileName));
  res.setHeader('Cache-Control', 'no-store');
  try {
    await pipeline(stream, res);
  } catch (err) {
    logger.warn({ err, file: file.fileName }, 'file download ended early');
    res.destroy();
  }
}

/**
 * `attachment; filename="…"`, plus RFC 6266's `filename*` (UTF-8, percent-encoded) when the name
 * is not plain ASCII: a campaign's file name pattern may hold any text, and Node refuses a header
 * with characters outside Latin-1 (the download would fail) and sends Latin-1 ones as the wrong bytes.
 */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  if (ascii === fileName) return `attachment; filename="${fileName}"`;
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
