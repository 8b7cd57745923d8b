import { Injectable } from '@nestjs/common';
import { Database } from '../../common/database';
import type { Bid, BuyerReason } from './sale.reading';

/** What an inbound ping's round gathered for one `pingPost` delivery, as the `ping` row keeps it. */
export interface GatheredSale {
  bids: Bid[];
  reasons: BuyerReason[];
}

/**
 * The bids an inbound ping gathered, for the sale of the lead posted with it (docs/api.md ›
 * Pings): reused while the ping's `expires_at` (its `pingTtlMs`) lasts, so the buyers that bid
 * get the post with their token and are not pinged again; after it, the sale pings afresh.
 */
@Injectable()
export class PingBids {
  constructor(private readonly db: Database) {}

  /** The ping's bids for this lead's sale by `deliveryId`, while they last; undefined: ping afresh. */
  async forSale(leadId: string, deliveryId: string, now: Date): Promise<GatheredSale | undefined> {
    const { rows } = await this.db.query<{ sale: GatheredSale | null }>(`select sales -> $2 as sale from ping where lead_id = $1 and expires_at > $3`, [leadId, deliveryId, now]);
    // A round that found no bid is no answer to reuse: the sale asks the buyers again.
    const sale = rows[0]?.sale;
    return sale?.bids.length ? sale : undefined;
  }
}
