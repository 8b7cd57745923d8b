import type { PoolClient } from 'pg';
import type { DeliveryResult } from '@leadrelay/sdk/plugin';
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
  /** A ping-post sale's attempts: which phase, to which buyer (docs/architecture.md › Ping-post). */
  phase?: 'ping' | 'post';
  buyer?: string;
}

/** The attempt table's columns, and their types as a jsonb record carries them. */
const ATTEMPT_COLUMNS = 'dispatch_id, batch_id, at, duration_ms, request, response, outcome, reason, price, reference, error, captured, phase, buyer';
const RECORD_TYPES =
  'dispatch_id uuid, batch_id uuid, at timestamptz, duration_ms integer, request jsonb, response jsonb, outcome text, reason text, price numeric, reference text, error text, captured jsonb, phase text, buyer text';

/**
 * The one statement that writes attempts: rows made by `attemptRecord` (redacted, cut), passed as
 * a jsonb array in `records` (a parameter such as `$2::jsonb`), optionally filtered by `where`
 * (on alias `a`). The real-time path embeds it in its outcome statement; batches run it alone.
 */
export function insertAttemptsSql(records: string, where = ''): string {
  return `insert into attempt (${ATTEMPT_COLUMNS}) select ${ATTEMPT_COLUMNS} from jsonb_to_recordset(${records}) as a(${RECORD_TYPES}) ${where}`;
}

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
  return [...new Set([...secrets, ...credentialValues(result.request?.headers, result.request?.url)])].sort((a, b) => b.length - a.length);
}

/**
 * Captured values as stored: each redacted and cut like a reason. A buyer echoing a secret into a
 * captured value must not get it stored, the same as in its body.
 */
export function storedCaptured(captured: Record<string, string> | undefined, secrets: readonly string[]): Record<string, string> | null {
  if (!captured) return null;
  return Object.fromEntries(Object.entries(captured).map(([name, value]) => [name, storable(value, secrets, MAX_STORED_REASON) ?? '']));
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
  captured: Record<string, string> | null;
}

/**
 * An attempt as it may be stored: secret headers, URL passwords, secret query values and a path
 * from env() redacted; the delivery's secrets, and the credentials the request carried (a buyer
 * may echo them back), removed from every text; bodies cut (docs/security.md › Redaction).
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
          url: storable(redactUrl(result.request.url, secrets), secrets, MAX_STORED_BODY),
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
    captured: storedCaptured(result.captured, secrets),
  };
}

/** One attempt as the insert statement takes it. */
export function attemptRecord(row: AttemptRow): Record<string, unknown> {
  const a = storedAttempt(row);
  return {
    dispatch_id: row.dispatchId ?? null,
    batch_id: row.batchId ?? null,
    at: a.at,
    duration_ms: a.durationMs,
    request: a.request,
    response: a.response,
    outcome: a.outcome,
    reason: a.reason,
    price: a.price,
    reference: a.reference,
    error: a.error,
    captured: a.captured,
    phase: row.phase ?? null,
    buyer: row.buyer ?? null,
  };
}

/** Records one attempt in the caller's transaction (see `insertAttemptsSql`). */
export async function recordAttempt(client: PoolClient, row: AttemptRow): Promise<void> {
  await client.query(insertAttemptsSql('$1::jsonb'), [JSON.stringify([attemptRecord(row)])]);
}
