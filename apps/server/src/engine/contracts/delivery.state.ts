import { Injectable } from '@nestjs/common';
import { Clock, type ResolvedCampaign, type ResolvedDelivery } from '@leadrelay/campaigns';
import { capWindow } from '@leadrelay/contracts';
import { CampaignRegistry } from '../../campaigns/campaign.registry';
import { Database } from '../../common/database';
import { DomainError } from '../../common/domain.error';
import { CapLedger } from './cap.ledger';
import { contractOf } from './contract';
import { DeliveryGate, type BreakerState } from './delivery.gate';

/** A delivery's contract as it stands now, for the admin API and the console (docs/api.md). */
export interface DeliveryLiveState {
  paused: boolean;
  caps: { max: number; per: string; timeZone: string; used: number; resetsAt: string }[];
  /** Real-time only; `false` when the delivery turned it off. */
  breaker?: BreakerState | false;
  inFlight: number;
  /** Pending dispatches held back now (cap, hours, rate, breaker, paused). */
  held: number;
  /** With `hours`: when it opens next, or null while open. */
  nextOpening?: string | null;
  /** A `pingPost` delivery's buyers, each with its own contract's state (id `<sale>/<buyer>`). */
  buyers?: ({ id: string; buyer: string } & DeliveryLiveState)[];
}

/** Reads and changes the live side of buyer contracts: pause, resume, and each delivery's state. */
@Injectable()
export class DeliveryStates {
  constructor(
    private readonly db: Database,
    private readonly registry: CampaignRegistry,
    private readonly gate: DeliveryGate,
    private readonly caps: CapLedger,
    private readonly clock: Clock,
  ) {}

  /** Every delivery of a campaign in force, by id. */
  async of(campaign: ResolvedCampaign): Promise<Map<string, DeliveryLiveState>> {
    const now = this.clock.now();
    const [held, paused] = await Promise.all([
      this.db.query<{ delivery_id: string; n: number }>(
        `select delivery_id, count(*)::int as n from dispatch_row where campaign_id = $1 and status = 'pending' and held_by is not null group by delivery_id`,
        [campaign.id],
      ),
      this.db.query<{ delivery_id: string }>('select delivery_id from delivery_control where campaign_id = $1 and paused', [campaign.id]),
    ]);
    const heldBy = new Map(held.rows.map((r) => [r.delivery_id, r.n]));
    const pausedSet = new Set(paused.rows.map((r) => r.delivery_id));
    const stateOf = async (d: ResolvedDelivery): Promise<DeliveryLiveState> => {
      const contract = contractOf(d);
      const windows = contract.caps.map((cap) => capWindow(cap, now));
      const used = await this.caps.used(campaign.id, d.id, windows.map((w, i) => ({ key: w.key, end: w.end, max: contract.caps[i].max, reason: '' })));
      const realtime = d.mode.kind === 'realtime';
      const live = realtime ? await this.gate.state(campaign.id, d) : { inFlight: 0, breaker: undefined };
      return {
        paused: pausedSet.has(d.id),
        caps: contract.caps.map((cap, i) => ({ max: cap.max, per: cap.per, timeZone: cap.timeZone ?? 'UTC', used: used[i], resetsAt: windows[i].end.toISOString() })),
        ...(realtime ? { breaker: live.breaker } : {}),
        inFlight: live.inFlight,
        held: heldBy.get(d.id) ?? 0,
        ...(contract.hours ? { nextOpening: contract.hours.isOpen(now) ? null : contract.hours.nextOpening(now).toISOString() } : {}),
      };
    };
    const states = await Promise.all(
      campaign.deliveries.map(async (d): Promise<[string, DeliveryLiveState]> => {
        const state = await stateOf(d);
        if (!d.auction) return [d.id, state];
        // A buyer's contract lives on its phases' deliveries (both carry it): read it off the ping's.
        const buyers = await Promise.all(d.auction.buyers.map(async (b) => ({ id: b.ping.id, buyer: b.id, ...(await stateOf(b.ping)) })));
        return [d.id, { ...state, buyers }];
      }),
    );
    return new Map(states);
  }

  /** `POST …/pause` and `…/resume`: held sends stay pending (nothing is lost) and go on resume. */
  async setPaused(campaignId: string, deliveryId: string, paused: boolean, by: string | null): Promise<{ campaign: string; delivery: string; paused: boolean }> {
    const campaign = this.registry.get(campaignId);
    if (!campaign) throw new DomainError('not_found', `No campaign '${campaignId}' is in force.`);
    // A buyer of a sale is paused by its id `<sale>/<buyer>` (URL-encoded in the path): it is then not pinged.
    const known = campaign.deliveries.some((d) => d.id === deliveryId || d.auction?.buyers.some((b) => b.ping.id === deliveryId));
    if (!known) throw new DomainError('not_found', `Campaign '${campaignId}' has no delivery '${deliveryId}'.`);
    await this.gate.setPaused(campaignId, deliveryId, paused, by);
    return { campaign: campaignId, delivery: deliveryId, paused };
  }
}
