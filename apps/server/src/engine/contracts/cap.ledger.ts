import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import { Database } from '../../common/database';
import type { CapSlot } from './contract';

/**
 * Caps counted in PostgreSQL (`cap_usage`, docs/contracts.md): `cap_reserve` adds to every window
 * of a delivery or to none, under the row lock of each window, so no number of workers or
 * instances can go past a cap. A send that does not end `delivered` gives its slot back.
 */
@Injectable()
export class CapLedger {
  /** Real-time sends asking for the same windows, gathered while a reservation for them runs. */
  private readonly asking = new Map<string, { slots: readonly CapSlot[]; waiting: ((full: CapSlot | undefined | Error) => void)[]; running: boolean }>();

  constructor(private readonly db: Database) {}

  /**
   * Reserves one lead in every slot for a real-time send. Sends to one delivery share its window
   * rows, whose lock each reservation holds until it commits: those that ask while one runs go
   * together as one `cap_reserve` of n, and only when that one finds a window full are they
   * reserved one by one, so each gets its answer and no cap is passed.
   */
  reserveOne(campaignId: string, deliveryId: string, slots: readonly CapSlot[]): Promise<CapSlot | undefined> {
    if (!slots.length) return Promise.resolve(undefined);
    const key = JSON.stringify([campaignId, deliveryId, slots.map((s) => [s.key, s.max])]);
    let group = this.asking.get(key);
    if (!group) {
      group = { slots, waiting: [], running: false };
      this.asking.set(key, group);
    }
    const joined = group;
    return new Promise<CapSlot | undefined>((resolve, reject) => {
      joined.waiting.push((full) => (full instanceof Error ? reject(full) : resolve(full)));
      if (!joined.running) void this.reserveGathered(key, campaignId, deliveryId);
    });
  }

  private async reserveGathered(key: string, campaignId: string, deliveryId: string): Promise<void> {
    const group = this.asking.get(key)!;
    group.running = true;
    // Those asking in this turn of the event loop go in the first reservation too.
    await new Promise((r) => setImmediate(r));
    while (group.waiting.length) {
      const answers = group.waiting.splice(0);
      try {
        const full = await this.reserve(campaignId, deliveryId, group.slots, answers.length);
        if (!full || answers.length === 1) answers.forEach((answer) => answer(full));
        else for (const answer of answers) answer(await this.reserve(campaignId, deliveryId, group.slots, 1));
      } catch (err) {
        answers.forEach((answer) => answer(err as Error));
      }
    }
    group.running = false;
    this.asking.delete(key);
  }

  /** Reserves `n` leads in every slot; answers the first full one, or undefined when reserved. */
  async reserve(campaignId: string, deliveryId: string, slots: readonly CapSlot[], n: number, client?: PoolClient): Promise<CapSlot | undefined> {
    if (!slots.length) return undefined;
    const { rows } = await (client ?? this.db.pool).query<{ full: number }>('select cap_reserve($1, $2, $3, $4, $5, $6) as full', [
      campaignId,
      deliveryId,
      slots.map((s) => s.key),
      slots.map((s) => s.end),
      slots.map((s) => s.max),
      n,
    ]);
    return rows[0].full ? slots[rows[0].full - 1] : undefined;
  }

  /** Gives `n` leads back to the windows they were counted in. */
  async release(campaignId: string, deliveryId: string, windowKeys: readonly string[], n = 1, client?: PoolClient): Promise<void> {
    if (!windowKeys.length) return;
    await (client ?? this.db.pool).query(
      'update cap_usage set used = greatest(used - $4, 0) where campaign_id = $1 and delivery_id = $2 and window_key = any($3::text[])',
      [campaignId, deliveryId, windowKeys, n],
    );
  }

  /** How many leads each slot has counted (0 for a window not yet used). */
  async used(campaignId: string, deliveryId: string, slots: readonly CapSlot[], client?: PoolClient): Promise<number[]> {
    if (!slots.length) return [];
    const { rows } = await (client ?? this.db.pool).query<{ window_key: string; used: number }>(
      'select window_key, used from cap_usage where campaign_id = $1 and delivery_id = $2 and window_key = any($3::text[])',
      [campaignId, deliveryId, slots.map((s) => s.key)],
    );
    const byKey = new Map(rows.map((r) => [r.window_key, r.used]));
    return slots.map((s) => byKey.get(s.key) ?? 0);
  }
}
