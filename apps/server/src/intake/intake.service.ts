import { randomUUID, timingSafeEqual } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ResolvedCampaign } from '@leadrelay/campaigns';
import { Clock } from '@leadrelay/campaigns';
import { normaliseLead } from '@leadrelay/sdk/internal';
import { CampaignRegistry } from '../campaigns/campaign.registry';
import { Database } from '../common/database';
import { DomainError } from '../common/domain.error';
import { DispatchOutbox, outboxInsertSql } from '../engine/dispatch.outbox';
import { Metrics } from '../engine/metrics';

export interface AcceptedLead {
  id: string;
  campaign: string;
  receivedAt: string;
  dispatches: { id: string; delivery: string; status: string; reason?: string | null }[];
}

const FINAL = new Set(['delivered', 'rejected', 'failed']);
const MAX_WAIT_MS = 30_000;

function sameKey(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Lead intake: validate, then one statement for the lead, its dispatches and the real-time ones'
 * outbox rows; the relay puts them on the queue after the commit, so Redis is off this path.
 */
@Injectable()
export class IntakeService {
  constructor(
    private readonly registry: CampaignRegistry,
    private readonly db: Database,
    private readonly outbox: DispatchOutbox,
    private readonly clock: Clock,
    private readonly metrics: Metrics,
  ) {}

  /** 404 for an unknown or archived campaign, 401 for a missing or wrong key. */
  authorise(campaignId: string, apiKey: string | undefined): ResolvedCampaign {
    const campaign = this.registry.get(campaignId);
    if (!campaign) throw new DomainError('not_found', `No campaign '${campaignId}' accepts leads.`);
    if (!apiKey || !campaign.intakeKeys.some((k) => sameKey(apiKey, k))) {
      throw new DomainError('unauthorized', 'Missing or wrong X-Api-Key for this campaign.');
    }
    return campaign;
  }

  async accept(campaign: ResolvedCampaign, submission: Record<string, unknown>, source: string | undefined): Promise<AcceptedLead> {
    const { data, errors } = normaliseLead(campaign.fields, submission);
    if (errors.length) throw new DomainError('invalid', `The lead has ${errors.length} invalid field(s).`, errors);
    const id = randomUUID();
    const receivedAt = this.clock.now();
    const dispatches = campaign.deliveries.map((d) => ({ id: randomUUID(), delivery: d.id, realtime: d.mode.kind === 'realtime' }));
    const realtime = dispatches.filter((d) => d.realtime).map((d) => d.id);
    // One statement, so one implicit transaction: the lead, all its dispatches and their outbox
    // rows, or nothing.
    await this.db.query(
      `with lead_row as (
         insert into lead (id, campaign_id, campaign_version, data, raw, received_at, source)
         values ($1, $2, $3, $4, $5, $6, $7)),
       outbox_rows as (${outboxInsertSql('$10')})
       insert into dispatch_row (id, lead_id, campaign_id, delivery_id, status, created_at, updated_at)
       select t.id, $1, $2, t.delivery_id, 'pending', $6, $6 from unnest($8::uuid[], $9::text[]) as t(id, delivery_id)`,
      [
        id,
        campaign.id,
        campaign.version,
        JSON.stringify(data),
        JSON.stringify(submission),
        receivedAt,
        source ?? null,
        dispatches.map((d) => d.id),
        dispatches.map((d) => d.delivery),
        realtime,
      ],
    );
    this.metrics.leadAccepted(campaign.id);
    if (realtime.length) this.outbox.wake();
    return {
      id,
      campaign: campaign.id,
      receivedAt: receivedAt.toISOString(),
      dispatches: dispatches.map((d) => ({ id: d.id, delivery: d.delivery, status: 'pending' })),
    };
  }

  /** Waits until every real-time dispatch is final or `waitMs` has passed; answers current statuses. */
  async waitForOutcome(campaign: ResolvedCampaign, accepted: AcceptedLead, waitMs: number): Promise<AcceptedLead> {
    const realtime = new Set(campaign.deliveries.filter((d) => d.mode.kind === 'realtime').map((d) => d.id));
    const deadline = Date.now() + Math.min(Math.max(waitMs, 0), MAX_WAIT_MS);
    let pause = 10;
    for (;;) {
      const { rows } = await this.db.query<{ id: string; delivery_id: string; status: string; reason: string | null }>(
        'select id, delivery_id, status, reason from dispatch where lead_id = $1',
        [accepted.id],
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      const dispatches = accepted.dispatches.map((d) => {
        const r = byId.get(d.id);
        return { id: d.id, delivery: d.delivery, status: r?.status ?? d.status, ...(r?.reason ? { reason: r.reason } : {}) };
      });
      const done = dispatches.every((d) => !realtime.has(d.delivery) || FINAL.has(d.status));
      if (done || Date.now() >= deadline) return { ...accepted, dispatches };
      await new Promise((r) => setTimeout(r, Math.min(pause, Math.max(deadline - Date.now(), 1))));
      pause = Math.min(pause * 2, 200);
    }
  }
}
