import { Injectable } from '@nestjs/common';
import type { ResolvedDelivery } from '@leadrelay/campaigns';
import type { DeliveryResult } from '@leadrelay/sdk';
import { Database } from '../common/database';
import { recordAttempt } from './attempt.recorder';
import { RetrySchedule } from './retry.policy';

export interface OutcomeInput {
  dispatchId: string;
  attempt: number;
  at: Date;
  durationMs: number;
  result: DeliveryResult;
  delivery: ResolvedDelivery;
}

/**
 * Turns a plugin's outcome into the dispatch's status, with its attempt row, in one transaction.
 * The only place that writes a real-time dispatch's status.
 */
@Injectable()
export class DispatchOutcomes {
  constructor(private readonly db: Database) {}

  /** Returns `retryInMs` when another try is due. */
  async record(input: OutcomeInput): Promise<{ status: string; retryInMs?: number }> {
    const { result } = input;
    let status: 'pending' | 'delivered' | 'rejected' | 'failed';
    let retryInMs: number | undefined;
    let reason = result.reason ?? result.error ?? null;
    if (result.outcome === 'delivered') status = 'delivered';
    else if (result.configError) status = 'failed';
    else if (result.outcome === 'rejected') status = 'rejected';
    else {
      retryInMs = new RetrySchedule(input.delivery.options?.retry).delayAfter(input.attempt, result.retryAfterMs);
      status = retryInMs === undefined ? 'failed' : 'pending';
      if (status === 'failed') reason = `gave up after ${input.attempt} attempt(s): ${reason ?? 'no reason given'}`;
    }
    const stored = await this.db.transaction(async (client) => {
      const updated = await client.query(
        `update dispatch set status = $2, attempts = attempts + 1, reason = $3, price = $4, reference = $5,
                next_attempt_at = $6, updated_at = now()
          where id = $1 and status = 'pending' returning id`,
        [
          input.dispatchId,
          status,
          reason,
          result.price ?? null,
          result.reference ?? null,
          retryInMs === undefined ? null : new Date(Date.now() + retryInMs),
        ],
      );
      // Someone else finished it meanwhile (an operator, a duplicate job after a crash): keep theirs.
      if (!updated.rowCount) return false;
      await recordAttempt(client, {
        dispatchId: input.dispatchId,
        at: input.at,
        durationMs: input.durationMs,
        result,
        outcome: result.configError ? 'failed' : result.outcome,
        secrets: input.delivery.secrets,
      });
      return true;
    });
    return stored ? { status, retryInMs } : { status: 'unchanged' };
  }

  /** A dispatch that can never be delivered (its delivery was removed from the campaign file). */
  async giveUp(dispatchId: string, reason: string): Promise<void> {
    await this.db.query(`update dispatch set status = 'failed', reason = $2, updated_at = now() where id = $1 and status = 'pending'`, [dispatchId, reason]);
  }
}
