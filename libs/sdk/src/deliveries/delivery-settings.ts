import { z } from 'zod';
import { BUYER_CONTRACT_KEYS, type BuyerContract } from './buyer-contract';
import { buyerContractShape } from './buyer-contract.schema';
import { responseExamplesSchema, type ResponseExample } from './response-example';

/** Retry policy for `retry` outcomes (a buyer's 5xx, a time-out, a mail server's 4xx …). */
export interface RetryPolicy {
  /** Tries in all, the first included. @default 9 (the first, then retries about 10 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h and 4 h later); batches: 8, from 30 s, at most 1 h apart */
  attempts?: number;
  /** @default 'exponential' */
  backoff?: 'exponential' | 'fixed';
  /** Delay before the second try; each later one is 3× the one before (`exponential`) or the same (`fixed`). @default the schedule above; 10000 for `fixed` */
  firstDelayMs?: number;
  /** No delay is longer than this. @default 14400000 (4 h) */
  maxDelayMs?: number;
}

/**
 * What the host itself does with a delivery, whatever its plugin: declared beside the plugin's
 * options in a campaign file, validated with the campaign, never handed to the plugin.
 */
export interface DeliverySettings<F extends string = string> extends BuyerContract<F> {
  /**
   * How a `retry` outcome is tried again; then the dispatch (or batch) is `failed`.
   * @example retry: { attempts: 5, firstDelayMs: 60_000 }
   */
  retry?: RetryPolicy;
  /**
   * Scheduled deliveries only: a tick that finds no new leads still delivers an empty batch
   * (e.g. a "no new leads" email, an empty file with its header row).
   * @default false
   */
  sendEmpty?: boolean;
  /**
   * Recorded buyer answers and what the delivery's classifier must make of them: checked by
   * `campaigns:check` (and at start), so a classifier change that reads one differently fails CI.
   * @example examples: [{ name: 'duplicate', response: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"result":"failure","reason":"Duplicate"}' }, expect: { outcome: 'rejected', reason: 'Duplicate' } }]
   */
  examples?: ResponseExample[];
}

export const retrySchema = z
  .object({
    attempts: z.number().int().min(1).max(50).optional(),
    backoff: z.enum(['exponential', 'fixed']).optional(),
    firstDelayMs: z.number().int().min(0).optional(),
    maxDelayMs: z.number().int().min(0).optional(),
  })
  .strict() satisfies z.ZodType<RetryPolicy>;

export const deliverySettingsSchema = z
  .object({
    retry: retrySchema.optional(),
    sendEmpty: z.boolean().optional(),
    examples: responseExamplesSchema.optional(),
    ...buyerContractShape,
  })
  .strict() satisfies z.ZodType<DeliverySettings>;

/** The names of the host's settings: a plugin's options schema must not declare them. */
export const DELIVERY_SETTING_KEYS = ['retry', 'sendEmpty', 'examples', ...BUYER_CONTRACT_KEYS] as const satisfies readonly (keyof DeliverySettings)[];
