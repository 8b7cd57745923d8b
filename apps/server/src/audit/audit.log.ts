import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { Database } from '../common/database';
import { DomainError } from '../common/domain.error';

/** What operators do; `record` takes any other name too, for actions added later. */
export type AuditAction = 'manual-delivery' | 'dispatch-retry' | 'batch-retry' | 'pause' | 'resume' | 'run-now' | 'erasure';

/** One operator action (docs/api.md › Audit log). `actor` is the token's name from `ADMIN_TOKENS`. */
export interface AuditRecord {
  actor: string;
  action: AuditAction | (string & {});
  campaignId?: string;
  deliveryId?: string;
  /** How many leads the action touched. */
  count?: number;
  /** Anything else worth keeping: ids of the batch or dispatch, where it came from (`via`). Never personal data. */
  detail?: Record<string, unknown>;
}

export interface AuditQuery {
  limit?: string;
  cursor?: string;
  actor?: string;
  action?: string;
  campaign?: string;
}

/**
 * The audit log: a row per operator action, only ever added to. Controllers record an action
 * once it has succeeded; a refused one (404, 409, a viewer's 403) changed nothing and is not
 * recorded.
 */
@Injectable()
export class AuditLog {
  constructor(private readonly db: Database) {}

  /** Adds one row; pass `client` to record inside the caller's transaction, so the action and its row commit together. */
  async record(entry: AuditRecord, client?: PoolClient): Promise<void> {
    const sql = `insert into audit_log (actor, action, campaign_id, delivery_id, lead_count, detail) values ($1, $2, $3, $4, $5, $6::jsonb)`;
    const params = [entry.actor, entry.action, entry.campaignId ?? null, entry.deliveryId ?? null, entry.count ?? null, JSON.stringify(entry.detail ?? {})];
    if (client) await client.query(sql, params);
    else await this.db.query(sql, params);
  }

  /** Newest first, `limit` (1–500, default 50) at a time, optionally of one actor, action or campaign. */
  async page(query: AuditQuery) {
    const limit = query.limit === undefined || query.limit === '' ? 50 : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new DomainError('bad_request', 'limit must be a whole number from 1 to 500.');
    const params: unknown[] = [];
    const where: string[] = [];
    const add = (condition: string, value: unknown) => {
      params.push(value);
      where.push(condition.replace('?', `$${params.length}`));
    };
    if (query.cursor) add('id < ?', decodeCursor(query.cursor));
    if (query.actor) add('actor = ?', query.actor);
    if (query.action) add('action = ?', query.action);
    if (query.campaign) add('campaign_id = ?', query.campaign);
    params.push(limit + 1);
    const { rows } = await this.db.query(
      `select id, at, actor, action, campaign_id, delivery_id, lead_count, detail from audit_log
        ${where.length ? `where ${where.join(' and ')}` : ''} order by id desc limit $${params.length}`,
      params,
    );
    const items = rows.slice(0, limit).map(auditJson);
    return { items, nextCursor: rows.length > limit ? encodeCursor(rows[limit - 1].id) : null };
  }
}

function auditJson(r: Record<string, any>) {
  return {
    id: String(r.id),
    at: r.at.toISOString(),
    actor: r.actor,
    action: r.action,
    campaign: r.campaign_id,
    delivery: r.delivery_id,
    leadCount: r.lead_count,
    detail: r.detail,
  };
}

/** Cursor = the last row's id, opaque to clients as the leads' cursor is. */
function encodeCursor(id: string): string {
  return Buffer.from(String(id)).toString('base64url');
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[1-9]\d{0,18}$/.test(id)) throw new DomainError('bad_request', 'cursor is not one this API gave out.');
  return id;
}
