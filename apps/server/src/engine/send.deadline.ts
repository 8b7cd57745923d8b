import type { DeliveryResult } from '@leadrelay/sdk/plugin';

/**
 * A plugin's answer, or a `retry` once `ms` have passed without one, so a send that hangs still
 * gets its outcome recorded while its lease holds (docs/architecture.md › Leases). The plugin's
 * own transport time-outs are shorter, so this is the last resort; the late send may still finish.
 */
export function withDeadline(work: Promise<DeliveryResult>, ms: number): Promise<DeliveryResult> {
  let timer: NodeJS.Timeout;
  const deadline = new Promise<DeliveryResult>((resolve) => {
    timer = setTimeout(() => resolve({ outcome: 'retry', error: `no outcome after ${Math.round(ms / 1000)} s` }), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
