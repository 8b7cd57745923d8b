import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * How far back a campaign's retention job has erased: the time of the last lead it erased, every
 * lead received before it being erased too, so the next run starts there instead of reading old,
 * erased leads again.
 */
@Entity({ tableName: 'retention_mark' })
export class RetentionMark {
  @PrimaryKey({ type: 'text' })
  campaignId!: string;

  @Property({ type: 'timestamptz' })
  erasedBefore!: Date;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}
