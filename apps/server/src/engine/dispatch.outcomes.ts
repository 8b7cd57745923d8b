import { Injectable } from '@nestjs/common';
import { Clock, type ResolvedDelivery } from '@leadrelay/campaigns';
import type { DeliveryResult } from '@leadrelay/sdk';
import { Database } from '../common/database';
import { ATTEMPT_COLUMNS, attemptSecrets, attemptValues, storedReason } from './attempt.recorder';
import { RetrySchedule } from './retry.policy';

export interface OutcomeInput {
  dispatchId: string;
  /** The try's number since the dispatch was last (re)started, for the retry policy. */
  attempt: number;
  at: Date;
  durationMs: number;
  result: DeliveryResult;
  delivery: ResolvedDelivery;
}

export type DispatchStatus = 'pending' | 'delivered' | 'rejected' | 'failed';

/**
 * Turns a plugin's outcome into the dispatch's status, with its attempt row, in one statement.
 * The only place that writes a real-time dispatch's status.
 */
@Injectable()
export class DispatchOutcomes {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Returns `retryInMs` when another try is due; `unchanged` when the dispatch was no longer pending. */
  async record(input: OutcomeInput): Promise<{ status: DispatchStatus | 'unchanged'; retryInMs?: number; outcome: string }> {
    const { result, delivery } = input;
    let status: DispatchStatus;
    let retryInMs: number | undefined;
    let reason = result.reason ?? result.error ?? null;
    if (result.outcome === 'delivered') status = 'delivered';
    else if (result.configError) status = 'failed';
    else if (result.outcome === 'rejected') status = 'rejected';
    else {
      retryInMs = new RetrySchedule(delivery.options?.retry).delayAfter(input.attempt, result.retryAfterMs);
      status = retryInMs === undefined ? 'failed' : 'pending';
      if (status === 'failed') reason = `gave up after ${input.attempt} attempt(s): ${reason ?? 'no reason given'}`;
    }
    // What the host made of it: a retry that used the last attempt, or a broken template, is `failed`.
    const outcome = status === 'failed' ? 'failed' : result.outcome;
    const secrets = attemptSecrets(delivery.secrets, result);
    const [, , ...attempt] = attemptValues({ at: input.at, durationMs: input.durationMs, result, outcome, secrets });
    // One round trip: the status (only while pending: an operator or a duplicate job after a crash
    // may have finished it meanwhile, and theirs stays) and the attempt row, which is logged either
    // way because the buyer did receive it.
    const { rows } = await this.db.query<{ status: DispatchStatus }>(
      `with changed as (
         update dispatch d set attempts = d.attempts + 1,
                status = case when d.status = 'pending' then $2 else d.status end,
                reason = case when d.status = 'pending' then $3 else d.reason end,
                price = case when d.status = 'pending' then $4::numeric else d.price end,
                reference = case when d.status = 'pending' then $5 else d.reference end,
                next_attempt_at = case when d.status = 'pending' then $6::timestamptz else d.next_attempt_at end,
                updated_at = now()
          where d.id = $1
          returning d.status),
       logged as (
         insert into attempt (${ATTEMPT_COLUMNS})
         select $1, null, $7::timestamptz, $8::integer, $9::jsonb, $10::jsonb, $11::text, $12::text, $13::numeric, $14::text, $15::text from changed)
       select status from changed`,
      [
        input.dispatchId,
        status,
        storedReason(reason, secrets),
        result.price ?? null,
        result.reference ?? null,
        retryInMs === undefined ? null : new Date(this.clock.now().getTime() + retryInMs),
        ...attempt,
      ],
    );
    if (rows[0]?.status !== status) return { status: 'unchanged', outcome };
    return { status, retryInMs, outcome };
  }

  /** A dispatch that can never be delivered (its delivery was removed from the campaign file). */
  async giveUp(dispatchId: string, reason: string): Promise<void> {
    await this.db.query(`update dispatch set status = 'failed', reason = $2, updated_at = now() where id = $1 and status = 'pending'`, [dispatchId, reason]);
  }
}
