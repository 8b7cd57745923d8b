import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { Clock, type ResolvedDelivery } from '@leadrelay/campaigns';
import type { DeliveryResult } from '@leadrelay/sdk/plugin';
import { Database } from '../common/database';
import { QueryBatcher } from '../common/query.batcher';
import { attemptRecord, attemptSecrets, insertAttemptsSql, storable, storedCaptured, storedReason, type AttemptRow } from './attempt.recorder';
import { decideOutcome, retryScheduleFor } from './outcome.decision';

export interface OutcomeInput {
  dispatchId: string;
  /** The try's number since the dispatch was last (re)started, for the retry policy. */
  attempt: number;
  at: Date;
  durationMs: number;
  result: DeliveryResult;
  delivery: ResolvedDelivery;
  /** The lease the send was made under: the outcome is written only while it is still this one. */
  leaseToken: string;
  /**
   * A ping-post sale (docs/architecture.md › Ping-post): its pings and posts, stored as the try's
   * attempts in place of one made from `result`, and the buyer it was sold to.
   */
  sale?: { attempts: readonly SaleAttempt[]; buyer?: string };
}

/** One ping or post of a sale, redacted with its own phase's secrets. */
export type SaleAttempt = Omit<AttemptRow, 'dispatchId' | 'batchId' | 'secrets'> & { secrets: readonly string[]; phase: 'ping' | 'post'; buyer: string };

export type DispatchStatus = 'pending' | 'delivered' | 'rejected' | 'failed' | 'skipped';

/** What a held send is waiting for (docs/contracts.md); `concurrency` is never written down. */
export type HeldBy = 'cap' | 'hours' | 'rate' | 'breaker' | 'paused';

/** One outcome as the statement takes it (a row of `jsonb_to_recordset`). */
interface OutcomeRow {
  id: string;
  token: string;
  status: DispatchStatus;
  reason: string | null;
  price: number | null;
  reference: string | null;
  captured: Record<string, string> | null;
  next_at: Date | null;
  buyer: string | null;
}

// For each outcome: the status (only while pending: an operator may have finished it meanwhile,
// and theirs stays) and the attempt row. Written only by the send that holds the dispatch's
// lease (docs/architecture.md › Leases), which it gives up here. Many outcomes, one statement.
const RECORD = `
  with input as (
    select * from jsonb_to_recordset($1::jsonb) as t(id uuid, token uuid, status text, reason text, price numeric, reference text, captured jsonb, next_at timestamptz, buyer text)),
  changed as (
    update dispatch_row d set attempts = d.attempts + 1,
           status = case when d.status = 'pending' then i.status else d.status end,
           reason = case when d.status = 'pending' then i.reason else d.reason end,
           price = case when d.status = 'pending' then i.price else d.price end,
           reference = case when d.status = 'pending' then i.reference else d.reference end,
           captured = case when d.status = 'pending' then i.captured else d.captured end,
           buyer = case when d.status = 'pending' then i.buyer else d.buyer end,
           next_attempt_at = case when d.status = 'pending' then i.next_at else d.next_attempt_at end,
           held_by = case when d.status = 'pending' then null else d.held_by end,
           lease_token = null, lease_until = null,
           updated_at = now()
      from input i
     where d.id = i.id and d.lease_token = i.token
    returning d.id, d.status),
  logged as (${insertAttemptsSql('$2::jsonb', 'where a.dispatch_id in (select id from changed)')})
  select id, status from changed`;

/**
 * Turns a plugin's outcome into the dispatch's status, with its attempt row. The only place that
 * writes a real-time dispatch's status. Outcomes of jobs finishing together share one statement.
 */
@Injectable()
export class DispatchOutcomes {
  private readonly batcher = new QueryBatcher<{ outcome: OutcomeRow; attempts: Record<string, unknown>[] }, DispatchStatus | undefined>(
    (rows) => this.write(rows),
    { maxBatch: 64, maxInFlight: 4, key: (row) => row.outcome.id },
  );

  /** Holds written together: a breaker opening or an hour closing holds many sends at once. */
  private readonly holds = new QueryBatcher<{ id: string; by: HeldBy; until: Date | null }, void>(
    async (rows) => {
      await this.db.pool.query({
        name: 'dispatch-holds',
        text: `update dispatch_row d set held_by = i.by, next_attempt_at = i.until, updated_at = now()
                 from jsonb_to_recordset($1::jsonb) as i(id uuid, by text, until timestamptz)
                where d.id = i.id and d.status = 'pending'`,
        values: [JSON.stringify(rows)],
      });
      return rows.map(() => undefined);
    },
    { maxBatch: 256, maxInFlight: 2, key: (row) => row.id },
  );

  /** Leases given back by sends that wrote no outcome (a hold, a skip, our own error). */
  private readonly releases = new QueryBatcher<{ id: string; token: string }, void>(
    async (rows) => {
      await this.db.pool.query({
        name: 'dispatch-lease-release',
        text: `update dispatch_row d set lease_token = null, lease_until = null
                 from jsonb_to_recordset($1::jsonb) as i(id uuid, token uuid)
                where d.id = i.id and d.lease_token = i.token`,
        values: [JSON.stringify(rows)],
      });
      return rows.map(() => undefined);
    },
    { maxBatch: 256, maxInFlight: 2, key: (row) => row.id },
  );

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Keeps a running send's lease: `ms` more from now, if it is still `token`'s. */
  async renewLease(dispatchId: string, token: string, ms: number): Promise<void> {
    await this.db.pool.query({
      name: 'dispatch-lease-renew',
      text: `update dispatch_row set lease_until = now() + make_interval(secs => $3::double precision / 1000) where id = $1 and lease_token = $2`,
      values: [dispatchId, token, ms],
    });
  }

  /** Gives a dispatch's lease back, if it is still `token`'s, so the next wake-up can claim it at once. */
  async releaseLease(dispatchId: string, token: string): Promise<void> {
    await this.releases.add({ id: dispatchId, token });
  }

  /** Marks a pending dispatch held, and until when (null: until woken — a pause, a breaker's trial). */
  async hold(dispatchId: string, by: HeldBy, until: Date | null): Promise<void> {
    await this.holds.add({ id: dispatchId, by, until });
  }

  /** A real-time dispatch its contract will not send (a cap reached, outside hours): final, no attempt. */
  async skip(dispatchId: string, reason: string): Promise<boolean> {
    const { rowCount } = await this.db.query(
      `update dispatch_row set status = 'skipped', reason = $2, held_by = null, next_attempt_at = null, updated_at = now() where id = $1 and status = 'pending'`,
      [dispatchId, reason],
    );
    return (rowCount ?? 0) > 0;
  }

  /**
   * The pending dispatches of leads whose data the caller's transaction erased end as `skipped`:
   * nothing is left to send (docs/architecture.md › Retention and erasure). Their lease goes too,
   * so a send in flight records no outcome and no attempt. A dispatch a batch already covers stays
   * with its batch, whose file then has the lead's row blank.
   */
  async skipErased(client: PoolClient, leadIds: readonly string[]): Promise<number> {
    const { rowCount } = await client.query(
      `update dispatch_row d set status = 'skipped', reason = 'lead erased', held_by = null, next_attempt_at = null,
              lease_token = null, lease_until = null, updated_at = now()
         from dispatch v
        where v.id = d.id and v.lead_id = any($1::uuid[]) and v.status = 'pending' and v.batch_id is null`,
      [leadIds],
    );
    return rowCount ?? 0;
  }

  /** Returns `retryInMs` when another try is due; `unchanged` when the dispatch was no longer pending. */
  async record(input: OutcomeInput): Promise<{ status: DispatchStatus | 'unchanged'; retryInMs?: number; outcome: string }> {
    const { result, delivery } = input;
    const decision = decideOutcome(result, input.attempt, retryScheduleFor(delivery));
    const status: DispatchStatus = decision.status;
    const { retryInMs, outcome } = decision;
    const secrets = attemptSecrets(delivery.secrets, result);
    const stored = await this.batcher.add({
      outcome: {
        id: input.dispatchId,
        token: input.leaseToken,
        status,
        reason: storedReason(decision.reason, secrets),
        price: result.price ?? null,
        reference: storable(result.reference, secrets, 2_000) ?? null,
        captured: storedCaptured(result.captured, secrets),
        next_at: retryInMs === undefined ? null : new Date(this.clock.now().getTime() + retryInMs),
        buyer: input.sale?.buyer ?? null,
      },
      attempts: input.sale
        ? input.sale.attempts.map((a) => attemptRecord({ ...a, dispatchId: input.dispatchId }))
        : [attemptRecord({ dispatchId: input.dispatchId, at: input.at, durationMs: input.durationMs, result, outcome, secrets })],
    });
    // No row back: nothing was written — the lease is no longer this send's, or the statement
    // failed; the job fails and is tried again (DispatchProcessor).
    if (stored === undefined) throw new Error(`the outcome of dispatch ${input.dispatchId} was not stored (lease lost or write failed)`);
    if (stored !== status) return { status: 'unchanged', outcome };
    return { status, retryInMs, outcome };
  }

  /** A dispatch that can never be delivered (its delivery was removed from the campaign file). */
  async giveUp(dispatchId: string, reason: string): Promise<void> {
    await this.db.query(`update dispatch_row set status = 'failed', reason = $2, updated_at = now() where id = $1 and status = 'pending'`, [dispatchId, reason]);
  }

  /** One statement for the batch; if it fails, each outcome alone, so that one bad row fails only its own job. */
  private async write(rows: { outcome: OutcomeRow; attempts: Record<string, unknown>[] }[]): Promise<(DispatchStatus | undefined | Error)[]> {
    try {
      return await this.statement(rows);
    } catch (err) {
      if (rows.length === 1) return [err as Error];
      return Promise.all(rows.map((row) => this.statement([row]).then((r) => r[0], (e: Error) => e)));
    }
  }

  private async statement(rows: { outcome: OutcomeRow; attempts: Record<string, unknown>[] }[]): Promise<(DispatchStatus | undefined)[]> {
    const { rows: changed } = await this.db.pool.query<{ id: string; status: DispatchStatus }>({
      name: 'dispatch-outcomes',
      text: RECORD,
      values: [JSON.stringify(rows.map((r) => r.outcome)), JSON.stringify(rows.flatMap((r) => r.attempts))],
    });
    const byId = new Map(changed.map((r) => [r.id, r.status]));
    return rows.map((row) => byId.get(row.outcome.id));
  }
}
