import { Entity, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { Campaign } from './campaign.entity';

/** Every distinct config a campaign has run with; leads point at the one they were accepted under. */
@Entity({ tableName: 'campaign_version' })
@Unique({ properties: ['campaignId', 'hash'] })
export class CampaignVersion {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @ManyToOne(() => Campaign, { fieldName: 'campaign_id', mapToPk: true })
  campaignId!: string;

  @Property({ type: 'text' })
  hash!: string;

  @Property({ type: 'text', nullable: true })
  gitCommit?: string | null;

  @Property({ type: 'json' })
  definition!: Record<string, unknown>;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
