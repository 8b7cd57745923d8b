import type { ResolvedDelivery } from '@leadrelay/campaigns';
import type { RetryPolicy } from '@leadrelay/sdk';
import type { DeliveryResult } from '@leadrelay/sdk/plugin';
import { RetrySchedule } from './retry.policy';

/**
 * Batches (scheduled and on-demand sends) retry a little slower than one lead at a time by
 * default, as mail and file servers ask; a delivery's `retry` setting overrides any of these.
 */
const BATCH_RETRY_DEFAULTS: RetryPolicy = { attempts: 8, firstDelayMs: 30_000, maxDelayMs: 3_600_000 };

/** The retry schedule of a delivery, from its mode and its `retry` setting: never from its plugin. */
export function retryScheduleFor(delivery: ResolvedDelivery | undefined): RetrySchedule {
  const own = delivery?.settings.retry;
  if (delivery?.mode.kind === 'realtime') return new RetrySchedule(own);
  return new RetrySchedule({ ...BATCH_RETRY_DEFAULTS, ...own });
}

/** What the host makes of one try, for a dispatch or a batch alike. */
export interface OutcomeDecision {
  /** `pending` when another try is due. */
  status: 'delivered' | 'rejected' | 'failed' | 'pending';
  retryInMs?: number;
  /** The reason to store (a give-up says after how many tries). */
  reason: string | null;
  /** The attempt's outcome as stored: a retry that used the last try, or a configuration error, is `failed`. */
  outcome: string;
}

/**
 * The one decision: delivered, rejected, retried by the policy, or given up. `attempt` counts
 * tries since the dispatch or batch was last (re)started by an operator. A configuration error
 * (the delivery, not the buyer, is at fault) fails at once: sending again would not help.
 */
export function decideOutcome(result: DeliveryResult, attempt: number, schedule: RetrySchedule): OutcomeDecision {
  const reason = result.reason ?? result.error ?? null;
  if (result.configError) return { status: 'failed', reason, outcome: 'failed' };
  if (result.outcome === 'delivered') return { status: 'delivered', reason, outcome: 'delivered' };
  if (result.outcome === 'rejected') return { status: 'rejected', reason, outcome: 'rejected' };
  const retryInMs = schedule.delayAfter(attempt, result.retryAfterMs);
  if (retryInMs !== undefined) return { status: 'pending', retryInMs, reason, outcome: 'retry' };
  return { status: 'failed', reason: `gave up after ${attempt} attempt(s): ${reason ?? 'no reason given'}`, outcome: 'failed' };
}
