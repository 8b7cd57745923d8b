import type { ResolvedDelivery } from '@leadrelay/campaigns';
import { capReason, capWindow, compileCriteria, compileHours, dedupeKey, parseDuration } from '@leadrelay/contracts';
import type { Cap, LeadValue } from '@leadrelay/sdk';

/** Default in-flight sends to one buyer, across all workers (docs/contracts.md). */
export const DEFAULT_CONCURRENCY = 16;
export const DEFAULT_BREAKER = { failures: 10, pauseMs: 60_000 } as const;

/** One cap window, as the ledger counts it. */
export interface CapSlot {
  key: string;
  end: Date;
  max: number;
  reason: string;
}

/** A delivery's buyer contract, compiled once per loaded delivery: what the host applies to every plugin. */
export interface DeliveryContract {
  /** `true` sends; a string is the skip reason. Absent: every lead goes. */
  readonly criteria?: (values: Readonly<Record<string, LeadValue>>, now: Date) => true | string;
  readonly dedupe?: { readonly windowMs: number; key(campaignId: string, deliveryId: string, values: Readonly<Record<string, LeadValue>>): string | null };
  readonly caps: readonly Cap[];
  readonly onCap: 'skip' | 'hold';
  readonly hours?: { isOpen(at: Date): boolean; nextOpening(at: Date): Date };
  readonly outsideHours: 'hold' | 'skip';
  readonly rate?: { readonly max: number; readonly perMs: number };
  readonly concurrency: number;
  readonly breaker?: { readonly failures: number; readonly pauseMs: number };
  /** The cap windows `at` falls in, the tightest first when two share a window. */
  capSlots(at: Date): CapSlot[];
}

/**
 * Pacing counts starts over the window plus a margin of 5 % (at most 50 ms): a buyer counts
 * arrivals, which trail our starts by the network's and the host's jitter, and must never see
 * more than `max` in its own window.
 */
function paced(max: number, perMs: number) {
  return { max, perMs: perMs + Math.min(Math.round(perMs * 0.05), 50) };
}

const compiled = new WeakMap<ResolvedDelivery, DeliveryContract>();

/** The contract of a delivery as loaded (compiled on first use, then kept with the delivery). */
export function contractOf(delivery: ResolvedDelivery): DeliveryContract {
  let contract = compiled.get(delivery);
  if (!contract) {
    contract = compile(delivery);
    compiled.set(delivery, contract);
  }
  return contract;
}

function compile(delivery: ResolvedDelivery): DeliveryContract {
  const s = delivery.settings;
  const caps = s.caps ?? [];
  const dedupe = s.dedupe;
  const breaker = s.breaker === false ? undefined : s.breaker ?? {};
  return {
    criteria: s.when === undefined ? undefined : compileCriteria(s.when),
    dedupe: dedupe && {
      windowMs: parseDuration(dedupe.within),
      key: (campaignId, deliveryId, values) =>
        dedupeKey((dedupe.scope ?? 'delivery') === 'campaign' ? `campaign:${campaignId}` : `delivery:${campaignId}/${deliveryId}`, dedupe.on, values),
    },
    caps,
    onCap: s.onCap ?? 'skip',
    hours: s.hours && compileHours(s.hours),
    outsideHours: s.outsideHours ?? 'hold',
    rate: s.rate && paced(s.rate.max, parseDuration(s.rate.per)),
    concurrency: s.concurrency ?? DEFAULT_CONCURRENCY,
    breaker: breaker && {
      failures: breaker.failures ?? DEFAULT_BREAKER.failures,
      pauseMs: breaker.pause ? parseDuration(breaker.pause) : DEFAULT_BREAKER.pauseMs,
    },
    capSlots(at) {
      const byKey = new Map<string, CapSlot>();
      for (const cap of caps) {
        const w = capWindow(cap, at);
        const known = byKey.get(w.key);
        if (!known || cap.max < known.max) byKey.set(w.key, { key: w.key, end: w.end, max: cap.max, reason: capReason(cap) });
      }
      return [...byKey.values()];
    },
  };
}
