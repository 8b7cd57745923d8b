import type { PoolClient } from 'pg';
import type { DeliveryResult } from '@leadrelay/sdk';
import { credentialValues, redactHeaders, redactUrl, redactValues } from './redaction';

const MAX_STORED_BODY = 64 * 1024;
const MAX_STORED_REASON = 2_000;

export interface AttemptRow {
  dispatchId?: string;
  batchId?: string;
  at: Date;
  durationMs: number;
  result: DeliveryResult;
  /** What the host decided (e.g. `retry` that became `failed`): stored as the attempt's outcome. */
  outcome: string;
  secrets: readonly string[];
}

/** The attempt table's columns. */
export const ATTEMPT_COLUMNS = 'dispatch_id, batch_id, at, duration_ms, request, response, outcome, reason, price, reference, error';

// ES2024 string methods (Node ≥ 20), not yet in the TypeScript lib this project targets.
type WellFormable = { isWellFormed(): boolean; toWellFormed(): string };

/**
 * Text as it may be stored: secrets redacted, cut at `max` characters, lone surrogates and NUL
 * characters replaced (jsonb and PostgreSQL text refuse them): a buyer's odd body must never make
 * the attempt — and with it the outcome — fail to save.
 */
export function storable(text: string | undefined | null, secrets: readonly string[], max: number): string | undefined {
  if (text === undefined || text === null) return undefined;
  let out = redactValues(text, secrets)!;
  if (out.length > max) out = `${out.slice(0, max)}…[cut]`;
  if (!(out as unknown as WellFormable).isWellFormed()) out = (out as unknown as WellFormable).toWellFormed();
  return out.includes('\u0000') ? out.replace(/\u0000/g, '\uFFFD') : out;
}

/** A dispatch's or batch's reason as stored: redacted and short. */
export function storedReason(reason: string | undefined | null, secrets: readonly string[]): string | null {
  return storable(reason, secrets, MAX_STORED_REASON) ?? null;
}

/** The delivery's secrets and the credentials its request carried, longest first (never half-redacted by a shorter one). */
export function attemptSecrets(secrets: readonly string[], result: DeliveryResult): string[] {
  return [...new Set([...secrets, ...credentialValues(result.request?.headers)])].sort((a, b) => b.length - a.length);
}

function storedHeaders(headers: Record<string, string> | undefined, secrets: readonly string[]): Record<string, string> {
  const out = redactHeaders(headers);
  for (const name of Object.keys(out)) out[name] = storable(out[name], secrets, MAX_STORED_REASON)!;
  return out;
}

/** One attempt as stored (secrets redacted, bodies cut), before it becomes a row. */
export interface StoredAttempt {
  at: Date;
  durationMs: number;
  request: { method: string; url?: string; headers: Record<string, string>; body?: string } | null;
  response: { status: number; headers: Record<string, string>; body?: string; truncated: boolean } | null;
  outcome: string;
  reason: string | null;
  price: number | null;
  reference: string | null;
  error: string | null;
}

/**
 * An attempt as it may be stored: secret headers and URL passwords redacted; the delivery's
 * secrets, and the credentials the request carried (a buyer may echo them back), removed from
 * every text; bodies cut.
 */
export function storedAttempt(row: AttemptRow): StoredAttempt {
  const { result } = row;
  const secrets = attemptSecrets(row.secrets, result);
  return {
    at: row.at,
    durationMs: Math.round(row.durationMs),
    request: result.request
      ? {
          method: result.request.method,
          url: storable(redactUrl(result.request.url), secrets, MAX_STORED_BODY),
          headers: storedHeaders(result.request.headers, secrets),
          body: storable(result.request.body, secrets, MAX_STORED_BODY),
        }
      : null,
    response: result.response
      ? {
          status: result.response.status,
          headers: storedHeaders(result.response.headers, secrets),
          body: storable(result.response.body, secrets, MAX_STORED_BODY),
          truncated: result.response.truncated ?? false,
        }
      : null,
    outcome: row.outcome,
    reason: storedReason(result.reason, secrets),
    price: result.price ?? null,
    reference: storable(result.reference, secrets, MAX_STORED_REASON) ?? null,
    error: storedReason(result.error, secrets),
  };
}

/** The one place attempts are written: secrets redacted, bodies cut, in the caller's transaction. */
export async function recordAttempt(client: PoolClient, row: AttemptRow): Promise<void> {
  const a = storedAttempt(row);
  await client.query(`insert into attempt (${ATTEMPT_COLUMNS}) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, [
    row.dispatchId ?? null,
    row.batchId ?? null,
    a.at,
    a.durationMs,
    a.request && JSON.stringify(a.request),
    a.response && JSON.stringify(a.response),
    a.outcome,
    a.reason,
    a.price,
    a.reference,
    a.error,
  ]);
}
