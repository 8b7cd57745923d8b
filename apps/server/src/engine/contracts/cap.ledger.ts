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
  constructor(private readonly db: Database) {}

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
