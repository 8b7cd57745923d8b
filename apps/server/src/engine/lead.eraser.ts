import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { DispatchOutcomes } from './dispatch.outcomes';

/**
 * What erasing leaves of an attempt (alias `a`): how it went and what came of it (method, status,
 * outcome, reason, price, reference), never what was said — the URL, headers and bodies carry the
 * lead, and what the classifier captured was read out of the answer's body.
 */
const ERASED_ATTEMPT = `
  request = case when a.request is null then null else jsonb_build_object('method', a.request -> 'method', 'erased', true) end,
  response = case when a.response is null then null else jsonb_build_object('status', a.response -> 'status', 'erased', true) end,
  captured = null`;

/** An attempt (alias `a`) that still has something to erase. */
const ATTEMPT_NOT_ERASED = `((a.request is not null and a.request ->> 'erased' is null) or (a.response is not null and a.response ->> 'erased' is null) or a.captured is not null)`;

/**
 * The one place that erases lead data, for the retention job and for erasure requests alike
 * (docs/architecture.md › Retention and erasure). The lead's row stays with its campaign, version
 * and time, so counts, statuses, reasons, batches and their dispatches are all kept; what goes is
 * what the lead said and what was sent and heard about it.
 */
@Injectable()
export class LeadEraser {
  constructor(private readonly outcomes: DispatchOutcomes) {}

  /**
   * Erases the leads in the caller's transaction: their values, raw submission and source address,
   * the request, response and captured values of every attempt of their dispatches; their pending
   * dispatches are skipped. Returns the ids erased now (a lead erased before is left as it is).
   */
  async erase(client: PoolClient, leadIds: readonly string[]): Promise<string[]> {
    if (!leadIds.length) return [];
    const { rows } = await client.query<{ id: string }>(
      `update lead set data = '{}', raw = '{}', source = null, erased_at = now()
        where id = any($1::uuid[]) and erased_at is null returning id`,
      [leadIds],
    );
    const erased = rows.map((r) => r.id);
    if (!erased.length) return erased;
    await client.query(
      `update attempt a set ${ERASED_ATTEMPT}
         from dispatch_row d where a.dispatch_id = d.id and d.lead_id = any($1::uuid[]) and ${ATTEMPT_NOT_ERASED}`,
      [erased],
    );
    // The dispatch's copy of what its deciding answer captured goes with the attempt's.
    await client.query('update dispatch_row set captured = null where lead_id = any($1::uuid[]) and captured is not null', [erased]);
    await this.outcomes.skipErased(client, erased);
    return erased;
  }

  /**
   * Erases the request, response and captured values of a campaign's batch sends made before `before`: a batch's
   * email or upload record may name what its file held. The batch, its status and its file's
   * recipe stay (the file is made again from the leads, so erased leads come out blank).
   */
  async eraseBatchAttempts(client: PoolClient, campaignId: string, before: Date): Promise<number> {
    const { rowCount } = await client.query(
      `update attempt a set ${ERASED_ATTEMPT}
         from batch b where a.batch_id = b.id and b.campaign_id = $1 and b.created_at < $2 and a.at < $2 and ${ATTEMPT_NOT_ERASED}`,
      [campaignId, before],
    );
    return rowCount ?? 0;
  }
}
