import { Migration } from '@mikro-orm/migrations';
import { DISPATCH_VIEW_CAPTURED } from './Migration20261206000000_captured';

/** The view `dispatch` as of ping-post: the same overlay, plus the buyer a sale went to. */
export const DISPATCH_VIEW_BUYER = DISPATCH_VIEW_CAPTURED.replace('         d.captured', '         d.captured,\n         d.buyer');

/**
 * Ping-post (docs/architecture.md › Ping-post): each ping and post of a sale is an attempt of its
 * dispatch with its `phase` (`ping` or `post`) and `buyer`; a sold dispatch names the buyer it went
 * to. Null for every other delivery's dispatches and attempts.
 */
export class Migration20261214000000_ping_post extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table attempt add column phase text check (phase in ('ping', 'post')), add column buyer text`);
    this.addSql(`drop view dispatch`);
    this.addSql(`alter table dispatch_row add column buyer text`);
    this.addSql(DISPATCH_VIEW_BUYER);
  }

  override async down(): Promise<void> {
    this.addSql(`drop view dispatch`);
    this.addSql(`alter table dispatch_row drop column buyer`);
    this.addSql(DISPATCH_VIEW_CAPTURED);
    this.addSql(`alter table attempt drop column phase, drop column buyer`);
  }
}
