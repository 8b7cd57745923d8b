import { z } from 'zod';
import type { ReplaySelection } from '../engine/dispatch.retry';
import { badRequest } from '../common/http-errors';

const isoTime = z
  .string()
  .refine((v) => /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(v) && !Number.isNaN(Date.parse(v)), 'must be an ISO-8601 time, e.g. 2026-12-03T09:00:00Z')
  .transform((v) => new Date(v));

/** The body of `POST /v1/campaigns/{id}/deliveries/{delivery}/retry` (docs/api.md › Bulk replay). */
const replaySchema = z
  .object({
    status: z.enum(['failed', 'rejected']),
    since: isoTime.optional(),
    until: isoTime.optional(),
    dryRun: z.boolean().optional(),
  })
  .strict()
  .refine((b) => !b.since || !b.until || b.since < b.until, { message: 'since must be before until', path: ['until'] });

/** Reads a bulk replay request; anything wrong is a 400 naming each problem, and nothing is retried. */
export function replayRequestOf(campaignId: string, deliveryId: string, body: Record<string, unknown>): { selection: ReplaySelection; dryRun: boolean } {
  const parsed = replaySchema.safeParse({ ...body });
  if (!parsed.success) throw badRequest(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  const { dryRun, ...rest } = parsed.data;
  return { selection: { campaignId, deliveryId, ...rest }, dryRun: dryRun ?? false };
}
