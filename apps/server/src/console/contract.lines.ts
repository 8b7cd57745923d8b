import type { DeliverySettings } from '@leadrelay/sdk';
import type { DeliveryLiveState } from '../engine/contracts/delivery.state';
import { zoneTime } from './console-time';

/** A delivery's declared contract in a few words per control, for the console's campaign page. */
export function contractLines(s: DeliverySettings): string[] {
  const lines: string[] = [];
  if (s.when !== undefined) lines.push(typeof s.when === 'function' ? 'criteria: a function' : `criteria: ${JSON.stringify(s.when)}`);
  for (const cap of s.caps ?? []) lines.push(`cap ${cap.max}/${cap.per}${cap.timeZone ? ` (${cap.timeZone})` : ''}, then ${s.onCap ?? 'skip'}`);
  if (s.hours) {
    const days = Object.entries(s.hours).filter(([k]) => k !== 'timeZone').map(([k, v]) => `${k} ${(v as string[]).join(', ')}`);
    lines.push(`hours ${days.join('; ')} (${s.hours.timeZone}), outside: ${s.outsideHours ?? 'hold'}`);
  }
  if (s.dedupe) lines.push(`no duplicates on ${s.dedupe.on.join(' + ')} within ${s.dedupe.within} (${s.dedupe.scope ?? 'delivery'})`);
  if (s.rate) lines.push(`at most ${s.rate.max} per ${s.rate.per}`);
  if (s.concurrency !== undefined) lines.push(`at most ${s.concurrency} in flight`);
  if (s.breaker === false) lines.push('breaker off');
  else if (s.breaker) lines.push(`breaker after ${s.breaker.failures ?? 10} retries, pause ${s.breaker.pause ?? '1m'}`);
  return lines;
}

/** What holds the delivery back right now, in words, its times in `zone`. */
export function stateLines(state: DeliveryLiveState | undefined, zone = 'UTC'): string[] {
  if (!state) return [];
  const lines: string[] = [];
  if (state.breaker && state.breaker.state !== 'closed') {
    lines.push(`breaker ${state.breaker.state} since ${state.breaker.since ? zoneTime(state.breaker.since, zone) : '?'}${state.breaker.lastError ? `: ${state.breaker.lastError}` : ''}`);
  }
  for (const cap of state.caps) lines.push(`${cap.used} of ${cap.max} this ${cap.per}`);
  if (state.nextOpening) lines.push(`closed, opens ${zoneTime(state.nextOpening, zone)}`);
  if (state.inFlight) lines.push(`${state.inFlight} in flight`);
  if (state.held) lines.push(`${state.held} held`);
  return lines;
}
