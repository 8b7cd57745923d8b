import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { AuditLog } from '../audit/audit.log';
import type { Actor } from '../audit/operator.actions';
import { Database } from '../common/database';
import { LeadEraser } from '../engine/lead.eraser';
import { personPattern, scrubbed, type ErasedPerson } from './erasure.request';

/**
 * Whether a JSON document `doc` (a lead's `data` or `raw`) holds the person's value (`$1`, normal
 * form) at any depth, compared the way the field type normalises: an email trimmed and in any
 * letter case; a phone with its punctuation and a leading 1 dropped, as a string or a number.
 */
const HOLDS_VALUE: Record<ErasedPerson['fieldType'], (doc: string) => string> = {
  email: (doc) => `exists (select 1 from jsonb_path_query(${doc}, 'strict $.**') v
      where jsonb_typeof(v) = 'string' and lower(regexp_replace(v #>> '{}', '^\\s+|\\s+$', '', 'g')) = $1)`,
  phone: (doc) => `exists (select 1 from jsonb_path_query(${doc}, 'strict $.**') v
      where jsonb_typeof(v) in ('string', 'number') and (v #>> '{}') ~ '^[+0-9\\s().-]+$'
        and regexp_replace(v #>> '{}', '[^0-9]', '', 'g') in ($1, '1' || $1))`,
};

/** One table's columns that may quote the person: plain text ones and jsonb ones. */
interface ScrubTarget {
  table: 'dispatch_row' | 'attempt' | 'batch';
  text: string[];
  json: string[];
}

const DISPATCH_TEXTS: ScrubTarget = { table: 'dispatch_row', text: ['reason', 'reference'], json: [] };
const ATTEMPT_TEXTS: ScrubTarget = { table: 'attempt', text: ['reason', 'error', 'reference'], json: ['captured', 'request', 'response'] };
const BATCH_TEXTS: ScrubTarget = { table: 'batch', text: ['reason', 'reference'], json: [] };

/**
 * Erasure requests (docs/api.md › Erasures): finds one person's leads in every campaign by their
 * email or phone, in the normalised values and in the raw submissions, and erases them with the
 * engine's `LeadEraser` in one transaction — all of it, or nothing.
 */
@Injectable()
export class ErasureService {
  constructor(
    private readonly db: Database,
    private readonly eraser: LeadEraser,
    private readonly audit: AuditLog,
  ) {}

  /**
   * Erases the person and records it in the audit log in the same transaction: who asked, by which
   * kind of value, how many leads — never the value itself. One that finds nobody is recorded too.
   */
  async erase(person: ErasedPerson, actor: Actor): Promise<{ leads: number }> {
    const leads = await this.db.transaction(async (client) => {
      // Matching reads every lead once: longer than the main pool's time-out allows a statement.
      await client.query('set local statement_timeout = 0');
      const count = await this.eraseLeadsOf(client, person);
      await this.audit.record({ actor: actor.name, action: 'erasure', count, detail: { via: actor.via, by: person.fieldType } }, client);
      return count;
    });
    return { leads };
  }

  private async eraseLeadsOf(client: PoolClient, person: ErasedPerson): Promise<number> {
    const leadIds = await this.leadsOf(client, person);
    if (!leadIds.length) return 0;
    const batchIds = await this.batchesOf(client, leadIds);
    const erased = await this.eraser.erase(client, leadIds);
    await this.scrubAround(client, leadIds, batchIds, personPattern(person));
    // A duplicate key is a hash of the person's values: it goes too, so nothing derived from them stays.
    await client.query('delete from dedupe_key where lead_id = any($1::uuid[])', [erased]);
    return erased.length;
  }

  private async leadsOf(client: PoolClient, person: ErasedPerson): Promise<string[]> {
    const holds = HOLDS_VALUE[person.fieldType];
    const { rows } = await client.query<{ id: string }>(
      `select id from lead where erased_at is null and (${holds('data')} or ${holds('raw')}) for update`,
      [person.value],
    );
    return rows.map((r) => r.id);
  }

  /** The batches that carried the leads' dispatches (a range batch covers its rows through the view). */
  private async batchesOf(client: PoolClient, leadIds: string[]): Promise<string[]> {
    const { rows } = await client.query<{ batch_id: string }>(
      'select distinct batch_id from dispatch where lead_id = any($1::uuid[]) and batch_id is not null',
      [leadIds],
    );
    return rows.map((r) => r.batch_id);
  }

  /**
   * The person's value where it may still sit beside their erased leads: a buyer's reason or
   * reference on their dispatches and attempts, and the records of the batches that carried them
   * (a mail's text may quote a lead; the file itself is made again from the erased leads).
   */
  private async scrubAround(client: PoolClient, leadIds: string[], batchIds: string[], pattern: RegExp): Promise<void> {
    await this.scrub(client, DISPATCH_TEXTS, 'lead_id = any($1::uuid[])', [leadIds], pattern);
    await this.scrub(
      client,
      ATTEMPT_TEXTS,
      'dispatch_id in (select id from dispatch_row where lead_id = any($1::uuid[])) or batch_id = any($2::uuid[])',
      [leadIds, batchIds],
      pattern,
    );
    await this.scrub(client, BATCH_TEXTS, 'id = any($1::uuid[])', [batchIds], pattern);
  }

  /** Rewrites the target's rows whose columns quote the person, with each quote as `[erased]`. */
  private async scrub(client: PoolClient, target: ScrubTarget, where: string, params: unknown[], pattern: RegExp): Promise<void> {
    const columns = [...target.text, ...target.json];
    const { rows } = await client.query(`select id, ${columns.join(', ')} from ${target.table} where ${where}`, params);
    for (const row of rows) {
      const changed = columns.filter((c) => JSON.stringify(scrubbed(row[c], pattern)) !== JSON.stringify(row[c]));
      if (!changed.length) continue;
      const sets = changed.map((c, i) => `${c} = $${i + 2}${target.json.includes(c) ? '::jsonb' : ''}`);
      const values = changed.map((c) => (target.json.includes(c) ? JSON.stringify(scrubbed(row[c], pattern)) : scrubbed(row[c], pattern)));
      await client.query(`update ${target.table} set ${sets.join(', ')} where id = $1`, [row.id, ...values]);
    }
  }
}
