import { Migration } from '@mikro-orm/migrations';
import { DISPATCH_VIEW_HELD } from './Migration20261203000000_buyer_contracts';

/** The view `dispatch` as of captured values: the same overlay, plus what the last answer captured. */
export const DISPATCH_VIEW_CAPTURED = DISPATCH_VIEW_HELD.replace(
  'case when b.id is null then d.held_by end as held_by',
  'case when b.id is null then d.held_by end as held_by,\n         d.captured',
);

/**
 * What a classifier captured from a buyer's answer (`leadconduit()`'s `capture` and
 * `cookie_search_term`, docs/campaigns.md › Classifiers): on each attempt, and on the dispatch
 * from the attempt that decided it, as a name → text object.
 */
export class Migration20261206000000_captured extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table attempt add column captured jsonb`);
    this.addSql(`drop view dispatch`);
    this.addSql(`alter table dispatch_row add column captured jsonb`);
    this.addSql(DISPATCH_VIEW_CAPTURED);
  }

  override async down(): Promise<void> {
    this.addSql(`drop view dispatch`);
    this.addSql(`alter table dispatch_row drop column captured`);
    this.addSql(DISPATCH_VIEW_HELD);
    this.addSql(`alter table attempt drop column captured`);
  }
}
