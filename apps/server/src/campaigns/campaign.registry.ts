import { Injectable } from '@nestjs/common';
import type { ResolvedCampaign, ResolvedDelivery } from '@leadrelay/campaigns';

/** The campaigns in force in this process, as loaded from their files at start. */
@Injectable()
export class CampaignRegistry {
  private campaigns = new Map<string, ResolvedCampaign>();

  replace(campaigns: ResolvedCampaign[]): void {
    this.campaigns = new Map(campaigns.map((c) => [c.id, c]));
  }

  get(id: string): ResolvedCampaign | undefined {
    return this.campaigns.get(id);
  }

  all(): ResolvedCampaign[] {
    return [...this.campaigns.values()];
  }

  delivery(campaignId: string, deliveryId: string): { campaign: ResolvedCampaign; delivery: ResolvedDelivery } | undefined {
    const campaign = this.campaigns.get(campaignId);
    const delivery = campaign?.deliveries.find((d) => d.id === deliveryId);
    return campaign && delivery ? { campaign, delivery } : undefined;
  }

  /** The plugin a delivery in force uses (a name, as data), or null when it is no longer configured. */
  pluginName(campaignId: string, deliveryId: string): string | null {
    return this.delivery(campaignId, deliveryId)?.delivery.pluginName ?? null;
  }

  /** Every (campaign, delivery) whose dispatches go out one by one. */
  realtimeDeliveries(): { campaignId: string; deliveryId: string }[] {
    return this.all().flatMap((c) => c.deliveries.filter((d) => d.mode.kind === 'realtime').map((d) => ({ campaignId: c.id, deliveryId: d.id })));
  }
}
