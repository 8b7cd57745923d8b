import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

/** One operator action, as `GET /v1/audit` shows it (docs/api.md › Audit log). Rows are only ever added. */
@Entity({ tableName: 'audit_log' })
export class AuditEntry {
  /** Also the order of the log: newest first is highest first. */
  @PrimaryKey({ type: 'bigint', autoincrement: true })
  id!: string;

  @Property({ type: 'timestamptz', defaultRaw: 'now()' })
  at: Date = new Date();

  /** The `ADMIN_TOKENS` name of the token that acted. */
  @Property({ type: 'text' })
  actor!: string;

  /** `manual-delivery`, `dispatch-retry`, `batch-retry`, `pause`, `resume`, `run-now`, `erasure` … */
  @Property({ type: 'text' })
  action!: string;

  @Property({ type: 'text', nullable: true })
  campaignId?: string | null;

  @Property({ type: 'text', nullable: true })
  deliveryId?: string | null;

  /** How many leads the action touched, where it touches leads. */
  @Property({ type: 'integer', nullable: true })
  leadCount?: number | null;

  @Property({ type: 'json', defaultRaw: `'{}'` })
  detail: Record<string, unknown> = {};
}
