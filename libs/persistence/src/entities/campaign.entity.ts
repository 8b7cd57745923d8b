import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** A campaign as last applied from its file; archived when the file is gone. */
@Entity({ tableName: 'campaign' })
export class Campaign {
  @PrimaryKey({ type: 'text' })
  id!: string;

  @Property({ type: 'text' })
  name!: string;

  /** Content hash of the resolved config (secrets excluded) now in force. */
  @Property({ type: 'text' })
  version!: string;

  /** The resolved config with secrets left out: fields, deliveries (id, plugin, summary, options). */
  @Property({ type: 'json' })
  definition!: Record<string, unknown>;

  @Property({ type: 'boolean', default: false })
  archived: boolean = false;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  updatedAt: Date = new Date();
}
