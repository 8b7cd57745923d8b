import { z } from 'zod';
import type { BuyerContract } from './buyer-contract';
import { buyerContractShape } from './buyer-contract.schema';
import { delivery, type DeliveryDefinition, type FieldRefs } from './delivery';
import type { DeliverySettings } from './delivery-settings';
import type { HttpPostOptions } from './http-post.options';

/**
 * One buyer in a ping-post sale: how it is pinged, how the lead is posted to it, and its own
 * contract (criteria, caps, hours, dedupe, rate, concurrency, breaker), which the host applies to
 * this buyer alone (docs/contracts.md › Buyers in a sale).
 */
export interface AuctionBuyer<F extends string = string> extends BuyerContract<F> {
  /** Unique in the sale; a slug. The host counts its caps, breaker and pause as `<sale id>/<buyer id>`. @example 'acme' */
  id: string;
  /**
   * The ping: http-post request options. Its templates (and a form body) see only `pingFields`
   * (and `lead_id`, `received_at`, `campaign`). Its classifier decides whether it is a bid:
   * `delivered` with a `price` of at least `minBid`; its `reference` is the buyer's token.
   * @example ping: { url: env('ACME_PING_URL'), body: json(`{"zip": {{json zip}}}`), classify: leadconduit({ outcome_search_term: 'true', outcome_search_path: 'accepted', price_path: 'bid', reference_path: 'token' }) }
   */
  ping: Omit<HttpPostOptions<F>, 'id'>;
  /**
   * The post of the whole lead to this buyer when its bid wins: http-post request options whose
   * templates may also use `ping.reference` (the token) and `ping.price` (the bid). Its
   * `Idempotency-Key` is the same for this buyer in every sale of the dispatch.
   * @example post: { url: env('ACME_POST_URL'), body: json(`{"token": {{json ping.reference}}, "email": {{json email}}}`) }
   */
  post: Omit<HttpPostOptions<F>, 'id'>;
}

/** A ping-post delivery: every eligible buyer is pinged at once, and the lead goes to the best bid. */
export interface PingPostOptions<F extends string = string> {
  /** Unique in the campaign. @example 'auction' */
  id: string;
  /** The only lead values ping templates may use: no personal data by default. @example ['zip', 'state', 'age'] */
  pingFields: F[];
  /** How long each buyer has to answer its ping; a later answer is ignored and the buyer is out of this sale. @example 3_000 */
  pingTimeoutMs: number;
  /** The whole sale: the pings, then the posts down the bid list; more than `pingTimeoutMs`. @example 15_000 */
  deadlineMs: number;
  /** Bids below are ignored. @default 0 */
  minBid?: number;
  /** `'highest'`: best bid first (ties: declared order); `'waterfall'`: declared order, the first buyer that bids and accepts wins. @default 'highest' */
  pick?: 'highest' | 'waterfall';
  /** How long an inbound ping's bids may be reused by the post that follows it. @default 60000 */
  pingTtlMs?: number;
  /** The buyers, in declared order (ties and `waterfall` follow it). */
  buyers: AuctionBuyer<F>[];
}

/** One phase of a buyer (its ping or its post): a delivery plugin by name and its options. */
export interface AuctionPhaseDefinition {
  readonly plugin: string;
  readonly options: Record<string, unknown>;
}

/** A buyer as a campaign file's definition carries it: its phases, and its contract as host settings. */
export interface AuctionBuyerDefinition {
  readonly id: string;
  readonly ping: AuctionPhaseDefinition;
  readonly post: AuctionPhaseDefinition;
  readonly settings: BuyerContract;
}

/** The sale a `pingPost` delivery runs, as written in the definition (`DeliveryDefinition.auction`). */
export interface AuctionDefinition {
  readonly pingFields: string[];
  readonly pingTimeoutMs: number;
  readonly deadlineMs: number;
  readonly minBid: number;
  readonly pick: 'highest' | 'waterfall';
  readonly pingTtlMs: number;
  readonly buyers: AuctionBuyerDefinition[];
}

/** The plugin both phases of a buyer use: named as data, looked up by the host like any delivery's. */
const PHASE_PLUGIN = 'http-post';
const AUCTION_KEYS = ['pingFields', 'pingTimeoutMs', 'deadlineMs', 'minBid', 'pick', 'pingTtlMs', 'buyers'] as const;

/**
 * Ping-post: before a lead is posted, every eligible buyer is pinged in parallel with `pingFields`
 * only; a ping is a bid when its classifier says delivered and the price is at least `minBid`; the
 * lead is posted to the best bid with its token, then down the bids until one accepts or
 * `deadlineMs` is spent (docs/campaigns.md › Ping-post).
 *
 * @example pingPost({ id: 'auction', pingFields: ['zip', 'state'], pingTimeoutMs: 3_000, deadlineMs: 15_000, minBid: 5, buyers: [{ id: 'acme', ping: { … }, post: { … }, caps: [{ max: 50, per: 'day' }] }] })
 */
export function pingPost<const F extends string = never>(
  options: PingPostOptions<F> & Omit<DeliverySettings<F>, 'sendEmpty' | 'examples'>,
): DeliveryDefinition<Record<string, never>, FieldRefs<F>> {
  const rest: Record<string, unknown> = { ...options };
  const auction: Record<string, unknown> = {};
  for (const key of AUCTION_KEYS) {
    auction[key] = rest[key];
    delete rest[key];
  }
  const buyers = Array.isArray(auction.buyers) ? (auction.buyers as unknown[]) : [];
  const sale = delivery('ping-post', rest as { id: string });
  return {
    ...sale,
    options: {},
    auction: {
      pingFields: auction.pingFields,
      pingTimeoutMs: auction.pingTimeoutMs,
      deadlineMs: auction.deadlineMs,
      minBid: auction.minBid ?? 0,
      pick: auction.pick ?? 'highest',
      pingTtlMs: auction.pingTtlMs ?? 60_000,
      buyers: buyers.map(buyerDefinition),
    } as AuctionDefinition,
  } as DeliveryDefinition<Record<string, never>, FieldRefs<F>>;
}

/** A buyer's phases get the http-post plugin by name; everything else beside them is its contract. */
function buyerDefinition(buyer: unknown): AuctionBuyerDefinition {
  if (!buyer || typeof buyer !== 'object') return buyer as AuctionBuyerDefinition;
  const { id, ping, post, ...settings } = buyer as Record<string, unknown>;
  const phase = (options: unknown) => (options && typeof options === 'object' ? { plugin: PHASE_PLUGIN, options: options as Record<string, unknown> } : options);
  return { id, ping: phase(ping), post: phase(post), settings } as AuctionBuyerDefinition;
}

const slug = z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'must be a slug: lower-case letters, digits and dashes');
const phaseSchema = z.object({ plugin: z.string().min(1), options: z.record(z.string(), z.unknown()) }).strict();

/** A buyer's contract: the same settings (and messages) as any delivery's, nothing else. */
const buyerSettingsSchema = z.object(buyerContractShape).strict();

/**
 * The sale's own shape, checked with the campaign; what needs the campaign's fields and the
 * phases' plugin (pingFields declared, templates) is checked by the campaign loader.
 */
export const auctionSchema = z
  .object({
    pingFields: z.array(z.string().min(1)).min(1, 'must list at least one field'),
    pingTimeoutMs: z.number().int().positive(),
    deadlineMs: z.number().int().positive(),
    minBid: z.number().min(0),
    pick: z.enum(['highest', 'waterfall']),
    pingTtlMs: z.number().int().positive(),
    buyers: z.array(z.object({ id: slug, ping: phaseSchema, post: phaseSchema, settings: buyerSettingsSchema }).strict()).min(1, 'must list at least one buyer'),
  })
  .strict()
  .superRefine((a, ctx) => {
    if (a.deadlineMs <= a.pingTimeoutMs) {
      ctx.addIssue({ code: 'custom', path: ['deadlineMs'], message: `must be more than pingTimeoutMs (${a.pingTimeoutMs}): the posts need time after the pings, not ${a.deadlineMs}` });
    }
    a.pingFields.forEach((name, i) => {
      if (a.pingFields.indexOf(name) < i) ctx.addIssue({ code: 'custom', path: ['pingFields', i], message: `lists '${name}' twice` });
    });
    const ids = new Set<string>();
    a.buyers.forEach((b, i) => {
      if (ids.has(b.id)) ctx.addIssue({ code: 'custom', path: ['buyers', i, 'id'], message: `duplicate buyer id '${b.id}'` });
      ids.add(b.id);
    });
  });
