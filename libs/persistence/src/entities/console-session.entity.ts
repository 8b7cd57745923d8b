import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * A signed-in console session (docs/api.md › Console › Sessions). The cookie carries its id, its
 * sign-in time and an HMAC of both; the row is what makes it valid, so any instance can check it
 * and signing out (deleting the row) ends it everywhere.
 */
@Entity({ tableName: 'console_session' })
export class ConsoleSession {
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  /** The `ADMIN_TOKENS` name it signed in with; its role is read from the settings on each request. */
  @Property({ type: 'text' })
  tokenName!: string;

  /** An HMAC of the token it signed in with: a token changed under the same name ends its sessions. */
  @Property({ type: 'text' })
  tokenCheck!: string;

  @Property({ type: 'timestamptz' })
  createdAt!: Date;

  @Property({ type: 'timestamptz' })
  lastSeenAt!: Date;
}

/** One failed console sign-in, counted against its client address and the name it tried. */
@Entity({ tableName: 'console_login_failure' })
@Index({ name: 'console_login_failure_key_idx', properties: ['key', 'failedAt'] })
export class ConsoleLoginFailure {
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  /** `ip:<address>` or `name:<token name>`. */
  @Property({ type: 'text' })
  key!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  failedAt: Date = new Date();
}
