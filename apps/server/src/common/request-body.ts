import type { Request } from 'express';
import { ApiError, badRequest } from './http-errors';

export const MAX_BODY_BYTES = 64 * 1024;

/** Reads a request body up to a limit; past it, answers 413 without reading the rest into memory. */
export async function readBody(req: Request, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    throw new ApiError(413, 'payload_too_large', `The body is larger than ${limit / 1024} KiB.`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new ApiError(413, 'payload_too_large', `The body is larger than ${limit / 1024} KiB.`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
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
