import type { RetryPolicy } from '@leadrelay/sdk';

/** About 10 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h (campaigns.md). */
const DEFAULT_DELAYS_MS = [10_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000];
const DEFAULT_ATTEMPTS = 8;
const MIN_RETRY_AFTER_MS = 1_000;

/**
 * The one retry policy: exponential back-off with ±20 % jitter, a buyer's `Retry-After` honoured
 * within [1 s, maxDelay], and an attempts limit after which a dispatch is `failed`.
 */
export class RetrySchedule {
  readonly attempts: number;
  private readonly firstDelayMs: number | undefined;
  private readonly maxDelayMs: number;

  constructor(private readonly policy: RetryPolicy = {}, private readonly random: () => number = Math.random) {
    this.attempts = policy.attempts ?? DEFAULT_ATTEMPTS;
    this.firstDelayMs = policy.firstDelayMs;
    this.maxDelayMs = policy.maxDelayMs ?? DEFAULT_DELAYS_MS[DEFAULT_DELAYS_MS.length - 1];
  }

  /** Delay before try `attempt + 1`, or undefined when `attempt` was the last allowed. */
  delayAfter(attempt: number, retryAfterMs?: number): number | undefined {
    if (attempt >= this.attempts) return undefined;
    if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs)) {
      return Math.round(Math.min(Math.max(retryAfterMs, MIN_RETRY_AFTER_MS), this.maxDelayMs));
    }
    return Math.round(Math.min(this.base(attempt), this.maxDelayMs) * (0.8 + 0.4 * this.random()));
  }

  private base(attempt: number): number {
    if (this.firstDelayMs === undefined) return DEFAULT_DELAYS_MS[Math.min(attempt - 1, DEFAULT_DELAYS_MS.length - 1)];
    if (this.policy.backoff === 'fixed') return this.firstDelayMs;
    return this.firstDelayMs * 3 ** (attempt - 1);
  }
}
