import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { Clock, LOGGER, PLUGIN_TOOLS, type ResolvedAuctionBuyer, type ResolvedCampaign, type ResolvedDelivery } from '@leadrelay/campaigns';
import type { DeliveryResult, LeadRecord, PluginTools } from '@leadrelay/sdk/plugin';
import { Database } from '../../common/database';
import type { SaleAttempt } from '../dispatch.outcomes';
import { CapLedger } from '../contracts/cap.ledger';
import { contractOf } from '../contracts/contract';
import { DeliveryGate } from '../contracts/delivery.gate';
import { withDeadline } from '../send.deadline';
import { postOrder, readPing, readPost, unsoldResult, type Bid, type BuyerReason, type PingReading } from './sale.reading';

/** The dispatch a sale is for. */
export interface SaleDispatch {
  id: string;
  lead: LeadRecord;
  /** When the dispatch was made: its place in each buyer's line at the gate. */
  arrivedAt: Date;
  /** 1 for the first sale. */
  attempt: number;
}

/** What a ping round came to: the bids (declared order), why the other buyers gave none, and the pings as attempts. */
export interface PingRound {
  bids: Bid[];
  reasons: BuyerReason[];
  attempts: SaleAttempt[];
}

/** A sale's end: the dispatch's outcome, the buyer it went to, and every ping and post as attempts. */
export interface Sale {
  result: DeliveryResult;
  buyer?: string;
  attempts: SaleAttempt[];
}

/** A guard past a phase's own time-out, for a plugin that does not use the host's HTTP client. */
const PHASE_GUARD_MS = 1_000;
/** The namespace of the phases' idempotency keys (UUIDv5, RFC 9562 § 5.5). */
const KEY_NAMESPACE = Buffer.from('9b6c7f52c1a04c0e8a7f3c2d5e4b1a60', 'hex');

/**
 * A stable key per dispatch, buyer and phase, sent as the request's `Idempotency-Key` (the
 * dispatch id a plugin is given): a retried sale that posts to the same buyer again sends the
 * same key, so the buyer can drop the repeat.
 */
export function phaseKey(dispatchId: string, buyer: string, phase: 'ping' | 'post'): string {
  const hash = createHash('sha1').update(KEY_NAMESPACE).update(`${dispatchId}/${buyer}/${phase}`).digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The host's tools with every HTTP request's time-out cut to `leftMs()` (asked as it is sent): a late answer is never waited for. */
function boundedTools(tools: PluginTools, leftMs: () => number): PluginTools {
  return { ...tools, http: { send: (request) => tools.http.send({ ...request, timeoutMs: Math.max(1, Math.min(request.timeoutMs, leftMs())) }) } };
}

/**
 * Runs ping-post sales (docs/architecture.md › Ping-post): every eligible buyer of a `pingPost`
 * delivery is pinged at once, each bounded by `pingTimeoutMs`; the lead is posted down the bids
 * until one buyer takes it or `deadlineMs` is spent. Each buyer is held to its own contract, as
 * the delivery `<sale>/<buyer>`: criteria, hours, dedupe and caps are looked at before its ping
 * (a buyer that fails one is not pinged), its cap slot and dedupe key are taken before its post
 * and given back unless it delivered, and every ping and post goes through its gate (pause,
 * breaker, pacing, concurrency), whose breaker counts its `retry` outcomes.
 */
@Injectable()
export class AuctionRunner {
  constructor(
    private readonly db: Database,
    private readonly gate: DeliveryGate,
    private readonly caps: CapLedger,
    private readonly clock: Clock,
    @Inject(PLUGIN_TOOLS) private readonly tools: PluginTools,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * One sale of a dispatch. `given.bids` (gathered by an earlier ping round, e.g. an inbound
   * ping's) are posted to without pinging again, each buyer's criteria checked on the whole lead first.
   */
  async sell(campaign: ResolvedCampaign, delivery: ResolvedDelivery, dispatch: SaleDispatch, given?: { bids: Bid[]; reasons?: BuyerReason[] }): Promise<Sale> {
    const auction = delivery.auction!;
    const deadlineAt = Date.now() + auction.deadlineMs;
    const round = given ? { bids: given.bids, reasons: given.reasons ?? [], attempts: [] } : await this.pingRound(campaign, delivery, dispatch);
    const declared = auction.buyers.map((b) => b.id);
    const reasons = [...round.reasons];
    const attempts = [...round.attempts];
    const order = postOrder(round.bids, declared, auction.pick);
    for (const [i, bid] of order.entries()) {
      const buyer = auction.buyers.find((b) => b.id === bid.buyer);
      if (!buyer) continue; // a reused bid of a buyer no longer in the sale
      if (given) {
        // Bids gathered on a ping's values: the buyer's criteria are held to the whole lead now.
        const verdict = contractOf(buyer.post).criteria?.(dispatch.lead.data, this.clock.now()) ?? true;
        if (verdict !== true) {
          reasons.push({ buyer: buyer.id, stage: 'eligibility', reason: `bid ${bid.price}, not posted: not eligible: ${verdict}`, transient: false });
          continue;
        }
      }
      if (Date.now() >= deadlineAt) {
        for (const left of order.slice(i)) {
          reasons.push({ buyer: left.buyer, stage: 'post', reason: `bid ${left.price}, not posted: the sale's deadline (${auction.deadlineMs} ms) was reached`, transient: false });
        }
        break;
      }
      const post = await this.post(campaign, buyer, bid, dispatch, deadlineAt);
      if (post.attempt) attempts.push(post.attempt);
      if (post.result?.outcome === 'delivered') {
        const result: DeliveryResult = { outcome: 'delivered', price: bid.price, reference: post.result.reference ?? bid.reference };
        if (post.result.captured) result.captured = post.result.captured;
        return { result, buyer: buyer.id, attempts };
      }
      reasons.push({ buyer: buyer.id, stage: 'post', reason: `bid ${bid.price}, ${post.reason}`, transient: post.transient });
    }
    return { result: unsoldResult(reasons, declared), attempts };
  }

  /**
   * Pings every eligible buyer at once, each bounded by `pingTimeoutMs` (its request is cut at
   * the time-out, and an answer after it is ignored), so the round lasts as long as the slowest
   * answer within the time-out. A buyer that is not eligible is not pinged and says why.
   */
  async pingRound(campaign: ResolvedCampaign, delivery: ResolvedDelivery, dispatch: SaleDispatch): Promise<PingRound> {
    const auction = delivery.auction!;
    const now = this.clock.now();
    const pingLead: LeadRecord = { ...dispatch.lead, data: Object.fromEntries(auction.pingFields.map((f) => [f, dispatch.lead.data[f] ?? null])) };
    const pingCampaign = { ...campaign, fields: campaign.fields.filter((f) => auction.pingFields.includes(f.name)) };
    type Answer = { buyer: string; reason: string } | { buyer: string; attempt: SaleAttempt; reading: PingReading };
    const answers = await Promise.all(
      auction.buyers.map(async (buyer): Promise<Answer> => {
        const refusal = await this.refusal(campaign, buyer.post, dispatch.lead.id, dispatch.lead.data, now);
        if (refusal !== undefined) return { buyer: buyer.id, reason: `not eligible: ${refusal}` };
        // Its own time-out runs from its request: the checks and the gate before it take a moment.
        const sent = await this.send(campaign, buyer.ping, dispatch, 'ping', buyer.id, () => auction.pingTimeoutMs, {
          dispatchId: phaseKey(dispatch.id, buyer.id, 'ping'),
          lead: pingLead,
          campaign: pingCampaign,
        });
        if (!sent.result || !sent.attempt) return { buyer: buyer.id, reason: `not eligible: ${sent.refused}` };
        return { buyer: buyer.id, attempt: sent.attempt, reading: readPing(sent.result, auction.minBid) };
      }),
    );
    const round: PingRound = { bids: [], reasons: [], attempts: [] };
    for (const a of answers) {
      if ('reason' in a) {
        round.reasons.push({ buyer: a.buyer, stage: 'eligibility', reason: a.reason, transient: false });
        continue;
      }
      round.attempts.push(a.attempt);
      if ('bid' in a.reading) round.bids.push({ buyer: a.buyer, ...a.reading.bid });
      else round.reasons.push({ buyer: a.buyer, ...a.reading });
    }
    return round;
  }

  /**
   * Why `delivery` would not take a lead with these values now (criteria, hours, a duplicate held
   * by another lead, a full cap), or undefined; nothing is taken. A buyer's check before its ping,
   * and an inbound ping's for each delivery (docs/api.md › Pings), which leaves hours out: a
   * real-time delivery holds a lead until it opens.
   */
  async refusal(
    campaign: ResolvedCampaign,
    delivery: ResolvedDelivery,
    leadId: string,
    values: LeadRecord['data'],
    now: Date,
    { hours = true }: { hours?: boolean } = {},
  ): Promise<string | undefined> {
    const contract = contractOf(delivery);
    const verdict = contract.criteria ? contract.criteria(values, now) : true;
    if (verdict !== true) return verdict;
    if (hours && contract.hours && !contract.hours.isOpen(now)) return 'outside delivery hours';
    const key = contract.dedupe?.key(campaign.id, delivery.id, values);
    if (key) {
      const { rows } = await this.db.query<{ lead_id: string }>(
        `select lead_id from dedupe_key where key = decode($1, 'hex') and lead_id <> $2 and seen_at > $3::timestamptz - $4 * interval '1 millisecond'`,
        [key, leadId, now, contract.dedupe!.windowMs],
      );
      if (rows[0]) return `duplicate of lead ${rows[0].lead_id}`;
    }
    const slots = contract.capSlots(now);
    if (slots.length) {
      const used = await this.caps.used(campaign.id, delivery.id, slots);
      const full = slots.find((slot, i) => used[i] >= slot.max);
      if (full) return full.reason;
    }
    return undefined;
  }

  /**
   * The post to one bidder: its dedupe key and cap slot taken first (so no concurrent sale can
   * pass either), given back unless the post is delivered.
   */
  private async post(
    campaign: ResolvedCampaign,
    buyer: ResolvedAuctionBuyer,
    bid: Bid,
    dispatch: SaleDispatch,
    deadlineAt: number,
  ): Promise<{ result?: DeliveryResult; attempt?: SaleAttempt; reason: string; transient: boolean }> {
    const contract = contractOf(buyer.post);
    const now = this.clock.now();
    const key = contract.dedupe?.key(campaign.id, buyer.post.id, dispatch.lead.data) ?? null;
    if (key) {
      const holder = await this.claimKey(key, dispatch.lead.id, now, contract.dedupe!.windowMs);
      if (holder !== dispatch.lead.id) return { reason: `not posted: duplicate of lead ${holder}`, transient: false };
    }
    const slots = contract.capSlots(now);
    let delivered = false;
    try {
      const full = slots.length ? await this.caps.reserveOne(campaign.id, buyer.post.id, slots) : undefined;
      if (full) return { reason: `not posted: ${full.reason}`, transient: false };
      try {
        const sent = await this.send(campaign, buyer.post, dispatch, 'post', buyer.id, () => deadlineAt - Date.now(), {
          dispatchId: phaseKey(dispatch.id, buyer.id, 'post'),
          lead: dispatch.lead,
          campaign,
          templateValues: { ping: { reference: bid.reference ?? null, price: bid.price } },
        });
        if (!sent.result) return { reason: `not posted: ${sent.refused}`, transient: true };
        delivered = sent.result.outcome === 'delivered';
        return { result: sent.result, attempt: sent.attempt, reason: readPost(sent.result), transient: sent.result.outcome === 'retry' };
      } finally {
        if (slots.length && !delivered) await this.caps.release(campaign.id, buyer.post.id, slots.map((s) => s.key));
      }
    } finally {
      if (key && !delivered) await this.db.query(`delete from dedupe_key where key = decode($1, 'hex') and lead_id = $2`, [key, dispatch.lead.id]);
    }
  }

  /** Takes a buyer's duplicate key for this lead, as intake does (docs/contracts.md › How the host applies them); answers the lead that holds it. */
  private async claimKey(key: string, leadId: string, at: Date, windowMs: number): Promise<string> {
    const { rows } = await this.db.query<{ lead_id: string }>(
      `insert into dedupe_key as k (key, lead_id, seen_at, window_ms) values (decode($1, 'hex'), $2, $3, $4)
       on conflict (key) do update set
         lead_id = case when k.seen_at <= excluded.seen_at - excluded.window_ms * interval '1 millisecond' then excluded.lead_id else k.lead_id end,
         seen_at = case when k.seen_at <= excluded.seen_at - excluded.window_ms * interval '1 millisecond' then excluded.seen_at else k.seen_at end,
         window_ms = excluded.window_ms
       returning k.lead_id`,
      [key, leadId, at, windowMs],
    );
    return rows[0].lead_id;
  }

  /**
   * One ping or post through the buyer's gate, its request cut at `leftMs()` (asked as it is sent:
   * a ping's time-out, or what is left of the sale's deadline): `refused` when the gate would not
   * let it go now (paused, breaker open, pacing, concurrency) — a sale never waits.
   */
  private async send(
    campaign: ResolvedCampaign,
    phase: ResolvedDelivery,
    dispatch: SaleDispatch,
    kind: 'ping' | 'post',
    buyer: string,
    leftMs: () => number,
    input: { dispatchId: string; lead: LeadRecord; campaign: ResolvedCampaign; templateValues?: Record<string, unknown> },
  ): Promise<{ result?: DeliveryResult; attempt?: SaleAttempt; refused?: string }> {
    const gate = await this.gate.acquire(campaign.id, phase, dispatch.id, dispatch.arrivedAt, { once: true });
    if (!gate.ok) return { refused: gate.heldBy === 'breaker' ? 'breaker open' : gate.heldBy };
    const stopRenewing = this.gate.holdSlot(campaign.id, phase.id, dispatch.id);
    const at = this.clock.now();
    const started = performance.now();
    let result: DeliveryResult;
    try {
      result = await withDeadline(
        phase.plugin.deliver!({ ...input, deliveryId: phase.id, attempt: dispatch.attempt, options: phase.options, prepared: phase.prepared }, boundedTools(this.tools, leftMs)),
        Math.max(leftMs(), 0) + PHASE_GUARD_MS,
      );
    } catch (err) {
      this.logger.error({ err, dispatchId: dispatch.id, delivery: phase.id, phase: kind }, 'plugin threw instead of returning an outcome');
      result = { outcome: 'retry', error: `plugin error: ${(err as Error).message}` };
    } finally {
      stopRenewing();
    }
    const durationMs = performance.now() - started;
    void this.gate.release(campaign.id, phase, dispatch.id, result.outcome, result.reason ?? result.error, '', durationMs);
    return { result, attempt: { at, durationMs, result, outcome: result.configError ? 'failed' : result.outcome, secrets: phase.secrets, phase: kind, buyer } };
  }
}
