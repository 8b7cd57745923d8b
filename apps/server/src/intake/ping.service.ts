import { createHash, randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { Clock, type ResolvedCampaign } from '@leadrelay/campaigns';
import { normaliseLead } from '@leadrelay/sdk/internal';
import type { LeadRecord } from '@leadrelay/sdk/plugin';
import { Database } from '../common/database';
import { DomainError } from '../common/domain.error';
import { AuctionRunner } from '../engine/auction/auction.runner';
import type { GatheredSale } from '../engine/auction/ping.bids';
import { unsoldResult } from '../engine/auction/sale.reading';
import { pingPrice } from './ping.price';
import { isUuid } from '../common/uuid';

/** How long a ping's answer holds without a `pingPost` delivery to name its own `pingTtlMs`. */
const DEFAULT_TTL_MS = 60_000;
/** `POST /v1/campaigns/{id}/pings`' answer (docs/api.md › Pings). */
export interface PingAnswer {
  accepted: boolean;
  pingId: string;
  price: number | null;
  expiresAt: string;
  /** Why each delivery that would not take it would not; only when not accepted. */
  reasons?: { delivery: string; reason: string }[];
}

type Values = LeadRecord['data'];

/**
 * Inbound pings (docs/api.md › Pings): a source asks, with part of a lead, whether the campaign
 * would take it and at what price, then posts the whole lead with the ping's id. The answer is
 * kept in `ping` without personal data; the post is refused (`ping_refused`) unless its ping was
 * accepted, is this campaign's, unused, unexpired and carried the same values.
 */
@Injectable()
export class PingService {
  constructor(
    private readonly db: Database,
    private readonly auction: AuctionRunner,
    private readonly clock: Clock,
  ) {}

  /**
   * Every delivery asked as the lead would be (criteria on a field the ping lacks see it missing,
   * as they would see the lead's), with nothing taken: criteria, dedupe (when its fields are
   * there), room in its caps; a `pingPost` delivery then pings its buyers. Accepted when any
   * delivery would take it; priced from the best bid.
   */
  async answer(campaign: ResolvedCampaign, submission: Record<string, unknown>): Promise<PingAnswer> {
    // Only what is sent is checked: every field optional, a value sent must be valid.
    const { data, errors } = normaliseLead(
      campaign.fields.map((f) => ({ ...f, required: false })),
      submission,
    );
    if (errors.length) throw new DomainError('invalid', `The ping has ${errors.length} invalid field(s).`, errors);
    const id = randomUUID();
    const now = this.clock.now();
    const lead: LeadRecord = { id, campaignId: campaign.id, receivedAt: now, data };
    const verdicts = await Promise.all(
      campaign.deliveries.map(async (d): Promise<{ delivery: string; reason?: string; sale?: GatheredSale }> => {
        const refused = await this.auction.refusal(campaign, d, id, data, now, { hours: false });
        if (refused !== undefined) return { delivery: d.id, reason: refused };
        if (!d.auction) return { delivery: d.id };
        // The ping's id stands in for a dispatch's: the buyers' gate and the pings' Idempotency-Keys.
        const round = await this.auction.pingRound(campaign, d, { id, lead, arrivedAt: now, attempt: 1 });
        const sale = { bids: round.bids, reasons: round.reasons };
        if (round.bids.length) return { delivery: d.id, sale };
        return { delivery: d.id, sale, reason: unsoldResult(round.reasons, d.auction.buyers.map((b) => b.id)).reason! };
      }),
    );
    const accepted = verdicts.some((v) => v.reason === undefined);
    const bids = verdicts.flatMap((v) => v.sale?.bids ?? []);
    const price = accepted && bids.length ? pingPrice(Math.max(...bids.map((b) => b.price)), campaign.margin) : null;
    const ttls = campaign.deliveries.flatMap((d) => (d.auction ? [d.auction.pingTtlMs] : []));
    const expiresAt = new Date(now.getTime() + (ttls.length ? Math.min(...ttls) : DEFAULT_TTL_MS));
    // The post is held to the ping's values of the declared non-personal part only (the pingPost
    // deliveries' pingFields): an email or a phone a source sends along is not kept, not even hashed.
    const nonPersonal = new Set(campaign.deliveries.flatMap((d) => d.auction?.pingFields ?? []));
    const carried = campaign.fields.map((f) => f.name).filter((f) => data[f] !== null && nonPersonal.has(f));
    // The ping round's attempts are not kept: their bodies hold the ping's values and there is
    // no dispatch to keep them under. The bids and reasons are, by sale.
    const sales = Object.fromEntries(verdicts.filter((v) => v.sale).map((v) => [v.delivery, v.sale]));
    await this.db.query(
      `insert into ping (id, campaign_id, accepted, price, sales, fields, values_hash, created_at, expires_at) values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [id, campaign.id, accepted, price, JSON.stringify(sales), carried, valuesHash(id, carried, data), now, expiresAt],
    );
    const answer: PingAnswer = { accepted, pingId: id, price, expiresAt: expiresAt.toISOString() };
    if (!accepted) answer.reasons = verdicts.filter((v) => v.reason !== undefined).map((v) => ({ delivery: v.delivery, reason: v.reason! }));
    return answer;
  }

  /**
   * Why a lead with these values may not be posted with `pingId` (docs/api.md › Pings): unknown,
   * another campaign's, not accepted, used, expired, or other values than the ping carried.
   */
  async check(pingId: unknown, campaign: ResolvedCampaign, data: Values, now: Date): Promise<string> {
    if (typeof pingId !== 'string' || !isUuid(pingId)) throw refused(`unknown ping ${JSON.stringify(pingId)}`);
    const { rows } = await this.db.query<{ campaign_id: string; accepted: boolean; fields: string[]; values_hash: Buffer | null; expires_at: Date; lead_id: string | null }>(
      `select campaign_id, accepted, fields, values_hash, expires_at, lead_id from ping where id = $1`,
      [pingId],
    );
    const ping = rows[0];
    if (!ping) throw refused(`unknown ping ${pingId}`);
    if (ping.campaign_id !== campaign.id) throw refused(`ping ${pingId} is another campaign's`);
    if (!ping.accepted) throw refused(`ping ${pingId} was not accepted`);
    if (ping.lead_id) throw refused(`ping ${pingId} was already used by lead ${ping.lead_id}`);
    if (ping.expires_at <= now) throw refused(`ping ${pingId} expired at ${ping.expires_at.toISOString()}`);
    if (!ping.values_hash?.equals(valuesHash(pingId, ping.fields, data))) {
      throw refused(`the lead's values differ from ping ${pingId}'s (it carried ${ping.fields.join(', ') || 'no field'})`);
    }
    return pingId;
  }

  /**
   * Marks the ping used by `leadId`, in the transaction that stores the lead: of two posts with one
   * ping, the second waits for the first's commit and then finds it used.
   */
  async use(client: PoolClient, pingId: string, leadId: string, at: Date): Promise<void> {
    const { rowCount } = await client.query(`update ping set lead_id = $2, used_at = $3 where id = $1 and lead_id is null and expires_at > $3`, [pingId, leadId, at]);
    if (!rowCount) throw refused(`ping ${pingId} was used by another lead meanwhile, or has expired`);
  }
}

function refused(message: string): DomainError {
  return new DomainError('ping_refused', `${message}; nothing was stored.`);
}

/** sha256 of the ping's id and its normalised values of `fields`: the post must match it, and the values are never kept. */
function valuesHash(pingId: string, fields: readonly string[], data: Values): Buffer {
  return createHash('sha256').update(JSON.stringify([pingId, fields.map((f) => [f, data[f] ?? null])])).digest();
}
