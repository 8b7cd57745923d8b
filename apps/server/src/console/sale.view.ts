import type { AttemptJson } from './attempt.view';

/** One buyer's row in a sale's bid table (docs/api.md › Console › Lead page). */
export interface BidRow {
  buyer: string;
  /** The ping's outcome as the classifier read it, or its transport error (`timeout: …`). */
  ping: string;
  bid: number | null;
  reference: string | null;
  /** The post's outcome; null when the buyer was not posted to. */
  post: string | null;
  winner: boolean;
}

/** A ping-post dispatch as one sale: who was pinged, what they bid, who was posted to, who won. */
export interface SaleView {
  bids: BidRow[];
  winner: { buyer: string; price: number | null; reference: string | null } | null;
}

/**
 * The sale of a ping-post dispatch from its attempts (each with `phase` and `buyer`), buyers in
 * `declared` order (the sale's, when the delivery is still known; else as pinged); undefined for a
 * dispatch of any other delivery. With several sales (a retried one), the last answer of each
 * buyer is shown: the attempts below list them all.
 */
export function saleView(
  dispatch: { buyer?: string | null; price?: number | null; reference?: string | null },
  attempts: readonly (AttemptJson & { price?: number | null; reference?: string | null })[],
  declared: readonly string[] = [],
): SaleView | undefined {
  const phased = attempts.filter((a) => a.phase && a.buyer);
  if (phased.length === 0) return undefined;
  const rows = new Map<string, BidRow>();
  for (const a of phased) {
    const row = rows.get(a.buyer!) ?? { buyer: a.buyer!, ping: '—', bid: null, reference: null, post: null, winner: false };
    if (a.phase === 'ping') {
      row.ping = a.error && !a.response ? a.error : a.outcome;
      row.bid = a.outcome === 'delivered' ? (a.price ?? null) : null;
      row.reference = a.outcome === 'delivered' ? (a.reference ?? null) : null;
      row.post = null;
    } else {
      row.post = `${a.outcome}${a.reason ? `: ${a.reason}` : ''}`;
    }
    rows.set(a.buyer!, row);
  }
  const winner = dispatch.buyer ? { buyer: dispatch.buyer, price: dispatch.price ?? null, reference: dispatch.reference ?? null } : null;
  for (const row of rows.values()) row.winner = row.buyer === winner?.buyer;
  const rank = (buyer: string) => (declared.includes(buyer) ? declared.indexOf(buyer) : declared.length);
  return { bids: [...rows.values()].sort((a, b) => rank(a.buyer) - rank(b.buyer)), winner };
}
