import { Global, Module } from '@nestjs/common';
import { CampaignApplier } from './campaign.applier';
import { CampaignRegistry } from './campaign.registry';
import { RetiredCampaigns } from './retired-campaigns';

/** The campaigns this process runs (loaded from their files at start) and how they are applied to the database. */
@Global()
@Module({ providers: [CampaignRegistry, CampaignApplier, RetiredCampaigns], exports: [CampaignRegistry, CampaignApplier, RetiredCampaigns] })
export class CampaignsInForceModule {}
