import { DateTime } from 'luxon';
import type { BreakerState } from '../engine/contracts/delivery.gate';
import { ATTEMPT_OUTCOMES, type AttemptStats, type AttemptWindow, type DeliveryHealthView } from './delivery-health.service';
import { lines, stackedBars, type ChartSeries } from './svg-chart';

const OUTCOME_SERIES: ChartSeries[] = [
  { key: 'delivered', label: 'delivered', color: '#146c3f' },
  { key: 'rejected', label: 'rejected', color: '#a15c00' },
  { key: 'retry', label: 'retry', color: '#6941c6' },
  { key: 'failed', label: 'failed', color: '#b42318' },
];
const LATENCY_SERIES: ChartSeries[] = [
  { key: 'p50', label: 'p50 (ms)', color: '#2456d6' },
  { key: 'p99', label: 'p99 (ms)', color: '#b42318' },
];
const WINDOW_TITLE = { hour: 'Last hour, 5-minute buckets', day: 'Last day, 1-hour buckets' };

const ms = (v: number | null) => (v === null ? '—' : `${Math.round(v)} ms`);
const rate = (s: AttemptStats) => (s.successRate === null ? '—' : `${Math.round(s.successRate * 1000) / 10}%`);

/** One window of the delivery page: its sentence, two charts and the table of their numbers. */
function windowView(w: AttemptWindow, zone: string) {
  const label = (at: Date) => DateTime.fromJSDate(at, { zone }).toFormat('HH:mm');
  const t = w.total;
  const counts = ATTEMPT_OUTCOMES.map((o) => `${t.outcomes[o]} ${o}`).join(', ');
  const summary = t.attempts
    ? `${t.attempts} attempt(s) (${counts}); success rate ${rate(t)}; p50 ${ms(t.p50Ms)}, p99 ${ms(t.p99Ms)}.`
    : 'No attempts in this window.';
  const id = `chart-${w.name}`;
  return {
    name: w.name,
    title: WINDOW_TITLE[w.name],
    from: w.start,
    to: w.end,
    successRate: rate(t),
    delivered: t.outcomes.delivered,
    attempts: t.attempts,
    p50: ms(t.p50Ms),
    p99: ms(t.p99Ms),
    outcomes: ATTEMPT_OUTCOMES.map((o) => ({ outcome: o, n: t.outcomes[o] })),
    volume: stackedBars({
      id: `${id}-volume`,
      title: `Attempts by outcome, ${WINDOW_TITLE[w.name].toLowerCase()}`,
      summary,
      series: OUTCOME_SERIES,
      buckets: w.buckets.map((b) => ({ label: label(b.start), values: b.outcomes })),
    }),
    latency: lines({
      id: `${id}-latency`,
      title: `Attempt duration p50 and p99 in ms, ${WINDOW_TITLE[w.name].toLowerCase()}`,
      summary: t.attempts ? `Over the window: p50 ${ms(t.p50Ms)}, p99 ${ms(t.p99Ms)}.` : 'No attempts in this window.',
      series: LATENCY_SERIES,
      buckets: w.buckets.map((b) => ({ label: label(b.start), values: { p50: b.p50Ms, p99: b.p99Ms } })),
    }),
    rows: w.buckets.map((b) => ({ start: b.start, attempts: b.attempts, outcomes: ATTEMPT_OUTCOMES.map((o) => b.outcomes[o]), successRate: rate(b), p50: ms(b.p50Ms), p99: ms(b.p99Ms) })),
  };
}

/** The delivery page's health parts, with times left as instants for the page's `time` helper. */
export function deliveryHealthView(health: DeliveryHealthView, breaker: BreakerState | false | undefined, zone: string) {
  return {
    windows: health.windows.map((w) => windowView(w, zone)),
    outcomeNames: ATTEMPT_OUTCOMES,
    errors: health.errors,
    failingSince: health.failingSince,
    breaker: breaker === false ? { off: true } : breaker ? { ...breaker, closed: breaker.state === 'closed' } : undefined,
  };
}
