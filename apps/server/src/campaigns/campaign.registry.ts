import { Injectable } from '@nestjs/common';
import type { ResolvedCampaign, ResolvedDelivery } from '@leadrelay/campaigns';

type Target = { campaign: ResolvedCampaign; delivery: ResolvedDelivery };

/**
 * The campaigns in force in this process, as loaded from their files at start — and the retired
 * ones: stored versions of archived campaigns and of removed deliveries, loaded again from their
 * sources so that their pending dispatches finish and their leads stay readable
 * (docs/architecture.md, "Campaign versions"). Retired campaigns never accept leads.
 */
@Injectable()
export class CampaignRegistry {
  private campaigns = new Map<string, ResolvedCampaign>();
  /** `campaign id` → version hash → that version, loaded again. */
  private retired = new Map<string, Map<string, ResolvedCampaign>>();
  /** `campaign id` → its newest retired version. */
  private newestRetired = new Map<string, ResolvedCampaign>();

  replace(campaigns: ResolvedCampaign[]): void {
    this.campaigns = new Map(campaigns.map((c) => [c.id, c]));
  }

  /** Adds stored versions loaded again (by the hash they were stored under), oldest first. */
  retire(versions: { hash: string; campaign: ResolvedCampaign }[]): void {
    for (const { hash, campaign: v } of versions) {
      const byHash = this.retired.get(v.id) ?? new Map<string, ResolvedCampaign>();
      byHash.set(hash, v);
      this.retired.set(v.id, byHash);
      this.newestRetired.set(v.id, v);
    }
  }

  /** A campaign in force (one that accepts leads). */
  get(id: string): ResolvedCampaign | undefined {
    return this.campaigns.get(id);
  }

  /** For reading its leads (exports, manual deliveries): in force, or else its newest retired version. */
  forReading(id: string): ResolvedCampaign | undefined {
    return this.campaigns.get(id) ?? this.newestRetired.get(id);
  }

  all(): ResolvedCampaign[] {
    return [...this.campaigns.values()];
  }

  /**
   * The delivery as configured now; when the campaign or the delivery is gone, the version the
   * lead was accepted under (`version`) if it was loaded again, else the newest retired one with it.
   */
  delivery(campaignId: string, deliveryId: string, version?: string): Target | undefined {
    const inForce = find(this.campaigns.get(campaignId), deliveryId);
    if (inForce) return inForce;
    const versions = this.retired.get(campaignId);
    if (!versions) return undefined;
    const exact = version ? find(versions.get(version), deliveryId) : undefined;
    return exact ?? [...versions.values()].reverse().map((v) => find(v, deliveryId)).find(Boolean);
  }

  /** The plugin a delivery uses (a name, as data), or null when it is no longer configured. */
  pluginName(campaignId: string, deliveryId: string): string | null {
    return this.delivery(campaignId, deliveryId)?.delivery.pluginName ?? null;
  }

  /** Every (campaign, delivery) whose dispatches go out one by one, retired ones included. */
  realtimeDeliveries(): { campaignId: string; deliveryId: string }[] {
    return this.targets().filter((t) => t.delivery.mode.kind === 'realtime').map((t) => ({ campaignId: t.campaign.id, deliveryId: t.delivery.id }));
  }

  /** Retired scheduled deliveries: no schedule ticks for them, so the sweeper sends what they still hold. */
  retiredScheduled(): { campaignId: string; deliveryId: string }[] {
    return this.targets()
      .filter((t) => t.delivery.mode.kind === 'scheduled' && !find(this.campaigns.get(t.campaign.id), t.delivery.id))
      .map((t) => ({ campaignId: t.campaign.id, deliveryId: t.delivery.id }));
  }

  /** Each (campaign, delivery) once: in force first, then retired versions' others. */
  private targets(): Target[] {
    const seen = new Set<string>();
    const out: Target[] = [];
    const add = (campaign: ResolvedCampaign) => {
      for (const delivery of campaign.deliveries) {
        const key = `${campaign.id}\u0000${delivery.id}`;
        if (!seen.has(key)) out.push({ campaign, delivery });
        seen.add(key);
      }
    };
    for (const c of this.campaigns.values()) add(c);
    for (const versions of this.retired.values()) for (const v of [...versions.values()].reverse()) add(v);
    return out;
  }
}

function find(campaign: ResolvedCampaign | undefined, deliveryId: string): Target | undefined {
  const delivery = campaign?.deliveries.find((d) => d.id === deliveryId);
  return campaign && delivery ? { campaign, delivery } : undefined;
}
