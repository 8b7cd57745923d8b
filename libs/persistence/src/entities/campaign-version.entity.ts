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

  /** The campaign file and every file it imports, by path relative to the campaign file's folder. */
  @Property({ type: 'json', nullable: true })
  sources?: Record<string, string> | null;

  /** The files differed from `gitCommit` (uncommitted changes) when this version was applied; null when unknown. */
  @Property({ type: 'boolean', nullable: true })
  dirty?: boolean | null;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}
