import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { ApiError, badRequest } from './http-errors';

export const MAX_BODY_BYTES = 64 * 1024;

/**
 * After a 413, the rest of the body is read and dropped for this long at most, and until the
 * client has sent nothing for DRAIN_IDLE_MS; then the connection is closed. Long enough for the
 * client to read the answer (closing while it still sends makes its side see a reset instead),
 * short enough that a client that stops sending — Node's fetch does once it has the answer — or
 * one that sends without end does not hold the connection, or a shutdown, for the 5-minute
 * request time-out.
 */
const DRAIN_MS = 30_000;
const DRAIN_IDLE_MS = 5_000;

/**
 * Reads a request body up to a limit; past it, answers 413 without reading the rest into memory.
 * The rest is drained, not cut off, so the client reads the 413 on a connection that stays open
 * (unless the rest goes on too long: drainThenClose).
 * Bodies are read here, in the handler, rather than by a Fastify body parser: the route's own
 * checks (unknown campaign, key) answer before any body is read, and Fastify's parsers close the
 * connection on a body that is too large (bootstrap.ts registers the pass-through parser).
 */
export function readBody(req: FastifyRequest, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const raw = req.raw;
  const tooLarge = () => new ApiError(413, 'payload_too_large', `The body is larger than ${limit / 1024} KiB.`);
  if (Number(raw.headers['content-length']) > limit) {
    drainThenClose(raw);
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      raw.off('data', onData);
      raw.off('end', onEnd);
      raw.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        drainThenClose(raw);
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      stop();
      reject(err);
    };
    raw.on('data', onData);
    raw.on('end', onEnd);
    raw.on('error', onError);
  });
}

/** Drops the rest of a refused body, within DRAIN_MS and DRAIN_IDLE_MS, then closes the connection. */
function drainThenClose(raw: IncomingMessage): void {
  raw.resume();
  if (raw.complete) return;
  let idle: NodeJS.Timeout | undefined;
  const close = () => {
    done();
    raw.destroy();
  };
  const stillSending = () => {
    clearTimeout(idle);
    idle = setTimeout(close, DRAIN_IDLE_MS).unref();
  };
  const total = setTimeout(close, DRAIN_MS).unref();
  const done = () => {
    clearTimeout(idle);
    clearTimeout(total);
    raw.off('data', stillSending);
  };
  raw.on('data', stillSending);
  raw.once('end', done);
  raw.once('close', done);
  stillSending();
}

/**
 * Parses a JSON object or a form-encoded body into a null-prototype object, so keys such as
 * `__proto__` stay plain data.
 */
export function parseObjectBody(body: Buffer, contentType: string | undefined): Record<string, unknown> {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  const text = body.toString('utf8');
  if (type === 'application/x-www-form-urlencoded') {
    const out: Record<string, unknown> = Object.create(null);
    for (const [key, value] of new URLSearchParams(text)) out[key] = value;
    return out;
  }
  if (type === 'application/json' || type.endsWith('+json') || (type === '' && /^\s*\{/.test(text))) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw badRequest(`The body is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw badRequest('The body must be a JSON object.');
    return Object.assign(Object.create(null), parsed);
  }
  throw new ApiError(415, 'unsupported_media_type', 'Send application/json or application/x-www-form-urlencoded.');
}
