import type { PoolClient } from 'pg';
import type { DeliveryResult } from '@leadrelay/sdk';
import { redactHeaders, redactUrl, redactValues } from './redaction';

const MAX_STORED_BODY = 64 * 1024;

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

function clip(text: string | undefined, secrets: readonly string[]): string | undefined {
  const redacted = redactValues(text, secrets);
  return redacted !== undefined && redacted.length > MAX_STORED_BODY ? `${redacted.slice(0, MAX_STORED_BODY)}…[cut]` : redacted;
}

/** The one place attempts are written: secrets redacted, bodies cut, in the caller's transaction. */
export async function recordAttempt(client: PoolClient, row: AttemptRow): Promise<void> {
  const { result, secrets } = row;
  const request = result.request && {
    method: result.request.method,
    url: redactValues(redactUrl(result.request.url), secrets),
    headers: redactHeaders(result.request.headers),
    body: clip(result.request.body, secrets),
  };
  const response = result.response && {
    status: result.response.status,
    headers: redactHeaders(result.response.headers),
    body: clip(result.response.body, secrets),
    truncated: result.response.truncated ?? false,
  };
  await client.query(
    `insert into attempt (dispatch_id, batch_id, at, duration_ms, request, response, outcome, reason, price, reference, error)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      row.dispatchId ?? null,
      row.batchId ?? null,
      row.at,
      Math.round(row.durationMs),
      request ? JSON.stringify(request) : null,
      response ? JSON.stringify(response) : null,
      row.outcome,
      redactValues(result.reason, secrets) ?? null,
      result.price ?? null,
      result.reference ?? null,
      redactValues(result.error, secrets) ?? null,
    ],
  );
}
