import type { DeliveryResult } from '@leadrelay/sdk/plugin';

/** A buyer's bid in one sale: the ping's price and the buyer's token for the post. */
export interface Bid {
  buyer: string;
  price: number;
  reference?: string;
}

/**
 * How one buyer's part in a sale ended, when it did not win: at which stage (not eligible, its
 * ping, its post), why, and whether a later sale might go otherwise.
 */
export interface BuyerReason {
  buyer: string;
  stage: 'eligibility' | 'ping' | 'post';
  reason: string;
  transient: boolean;
}

/** What a ping's outcome means for the sale: a bid, or the reason there is none. */
export type PingReading = { bid: Omit<Bid, 'buyer'> } | { reason: string; transient: boolean; stage: 'ping' };

/**
 * A ping is a bid when its classifier says delivered and its price is at least `minBid`
 * (docs/architecture.md › Ping-post). A time-out or any other `retry` (a 5xx, a refused
 * connection) is transient: the next sale may find the buyer answering.
 */
export function readPing(result: DeliveryResult, minBid: number): PingReading {
  const said = result.reason ?? result.error;
  if (result.outcome === 'retry') {
    if (result.error?.startsWith('timeout')) return { stage: 'ping', reason: 'ping timed out', transient: true };
    return { stage: 'ping', reason: `ping failed${said ? `: ${said}` : ''}`, transient: true };
  }
  if (result.outcome === 'rejected') return { stage: 'ping', reason: `no bid${said ? `: ${said}` : ''}`, transient: false };
  if (result.price === undefined || !Number.isFinite(result.price)) return { stage: 'ping', reason: 'no bid: the answer had no price', transient: false };
  if (result.price < minBid) return { stage: 'ping', reason: `below minimum (${result.price} < ${minBid})`, transient: false };
  return { bid: { price: result.price, ...(result.reference !== undefined ? { reference: result.reference } : {}) } };
}

/**
 * The order the lead is posted in: `highest` by price, best first, ties in declared order;
 * `waterfall` in declared order (every bid is at least the minimum already).
 */
export function postOrder(bids: readonly Bid[], declared: readonly string[], pick: 'highest' | 'waterfall'): Bid[] {
  const rank = (b: Bid) => declared.indexOf(b.buyer);
  return [...bids].sort((a, b) => (pick === 'highest' && b.price !== a.price ? b.price - a.price : rank(a) - rank(b)));
}

/** A post's outcome, when it did not deliver, as the buyer's reason. */
export function readPost(result: DeliveryResult): BuyerReason['reason'] {
  const said = result.reason ?? result.error;
  return `post ${result.outcome === 'retry' ? 'failed' : 'rejected'}${said ? `: ${said}` : ''}`;
}

/**
 * The dispatch's outcome when no post was delivered: `retry` when a later sale might go
 * otherwise — a post failed for a transient reason (a time-out, a 5xx), or every buyer pinged
 * failed so (none could bid) — else `rejected`. The reason names every buyer, in declared order.
 */
export function unsoldResult(reasons: readonly BuyerReason[], declared: readonly string[]): DeliveryResult {
  const byBuyer = [...reasons].sort((a, b) => declared.indexOf(a.buyer) - declared.indexOf(b.buyer));
  const transientPost = reasons.some((r) => r.stage === 'post' && r.transient);
  const pinged = reasons.filter((r) => r.stage !== 'eligibility');
  const everyPingTransient = pinged.length > 0 && pinged.every((r) => r.stage === 'ping' && r.transient);
  const reason = byBuyer.length ? byBuyer.map((r) => `${r.buyer}: ${r.reason}`).join('; ') : 'no buyer';
  return { outcome: transientPost || everyPingTransient ? 'retry' : 'rejected', reason };
}
