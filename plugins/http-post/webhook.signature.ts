import { createHmac } from 'node:crypto';

const PREFIX = 'whsec_';

/**
 * The signing key from a Standard Webhooks secret: `whsec_` + base64 of the key bytes, or any
 * other string used as is. Undefined when a `whsec_` secret is not valid base64.
 */
export function signingKey(secret: string): Buffer | undefined {
  if (!secret.startsWith(PREFIX)) return Buffer.from(secret, 'utf8');
  const encoded = secret.slice(PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) return undefined;
  return Buffer.from(encoded, 'base64');
}

/**
 * Standard Webhooks headers (https://www.standardwebhooks.com): the id is the dispatch id, the
 * same on every attempt, so a buyer can dedupe on it as on `Idempotency-Key`.
 */
export function webhookHeaders(key: Buffer, id: string, at: Date, body: string): Record<string, string> {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': `v1,${signature}` };
}
