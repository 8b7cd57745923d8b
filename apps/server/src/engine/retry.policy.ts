import type { RetryPolicy } from '@leadrelay/sdk/plugin';

/** About 10 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h (docs/campaigns.md). */
const DEFAULT_DELAYS_MS = [10_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000];
/** The first try and one retry after each default delay. */
const DEFAULT_ATTEMPTS = DEFAULT_DELAYS_MS.length + 1;
const DEFAULT_FIRST_DELAY_MS = 10_000;
const MIN_RETRY_AFTER_MS = 1_000;
const JITTER = 0.2;

/**
 * The one retry policy: exponential back-off with ±20 % jitter (never past `maxDelayMs`), a
 * buyer's `Retry-After` honoured within [1 s, maxDelay], and an attempts limit after which a
 * dispatch is `failed`.
 */
export class RetrySchedule {
  readonly attempts: number;
  readonly maxDelayMs: number;

  constructor(private readonly policy: RetryPolicy = {}, private readonly random: () => number = Math.random) {
    this.attempts = policy.attempts ?? DEFAULT_ATTEMPTS;
    this.maxDelayMs = policy.maxDelayMs ?? DEFAULT_DELAYS_MS[DEFAULT_DELAYS_MS.length - 1];
  }

  /** Delay before try `attempt + 1`, or undefined when `attempt` was the last allowed. */
  delayAfter(attempt: number, retryAfterMs?: number): number | undefined {
    if (attempt >= this.attempts) return undefined;
    if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs)) {
      return Math.round(Math.min(Math.max(retryAfterMs, MIN_RETRY_AFTER_MS), this.maxDelayMs));
    }
    const jitter = 1 - JITTER + 2 * JITTER * this.random();
    return Math.min(Math.round(this.base(attempt) * jitter), this.maxDelayMs);
  }

  private base(attempt: number): number {
    const { backoff, firstDelayMs } = this.policy;
    if (backoff === 'fixed') return firstDelayMs ?? DEFAULT_FIRST_DELAY_MS;
    if (firstDelayMs === undefined) return DEFAULT_DELAYS_MS[Math.min(attempt - 1, DEFAULT_DELAYS_MS.length - 1)];
    return firstDelayMs * 3 ** (attempt - 1);
  }
}
