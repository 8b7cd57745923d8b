import { Injectable } from '@nestjs/common';

const BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

/** Prometheus counters and the attempt latency histogram, in this process. */
@Injectable()
export class Metrics {
  private readonly accepted = new Map<string, number>();
  private readonly outcomes = new Map<string, number>();
  private readonly latency = new Map<string, { buckets: number[]; sum: number; count: number }>();
  private readonly skips = new Map<string, number>();
  private readonly holds = new Map<string, number>();

  leadAccepted(campaign: string): void {
    this.accepted.set(campaign, (this.accepted.get(campaign) ?? 0) + 1);
  }

  /** A dispatch the contract skipped (criteria, duplicate, cap, hours): final, never sent. */
  skipped(campaign: string, delivery: string): void {
    const key = `${campaign}\u0000${delivery}`;
    this.skips.set(key, (this.skips.get(key) ?? 0) + 1);
  }

  /** A send the contract held back for now (cap, hours, rate, breaker, paused, concurrency). */
  held(campaign: string, delivery: string, by: string): void {
    const key = `${campaign}\u0000${delivery}\u0000${by}`;
    this.holds.set(key, (this.holds.get(key) ?? 0) + 1);
  }

  attempt(campaign: string, delivery: string, outcome: string, durationMs: number): void {
    const key = `${campaign}\u0000${delivery}\u0000${outcome}`;
    this.outcomes.set(key, (this.outcomes.get(key) ?? 0) + 1);
    const lkey = `${campaign}\u0000${delivery}`;
    const h = this.latency.get(lkey) ?? { buckets: BUCKETS_MS.map(() => 0), sum: 0, count: 0 };
    BUCKETS_MS.forEach((b, i) => {
      if (durationMs <= b) h.buckets[i]++;
    });
    h.sum += durationMs;
    h.count++;
    this.latency.set(lkey, h);
  }

  render(queueDepth: Record<string, number>): string {
    const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
    const lines = ['# HELP leadrelay_leads_accepted_total Leads accepted by intake.', '# TYPE leadrelay_leads_accepted_total counter'];
    for (const [c, n] of this.accepted) lines.push(`leadrelay_leads_accepted_total{campaign="${esc(c)}"} ${n}`);
    lines.push('# HELP leadrelay_attempts_total Delivery attempts by outcome.', '# TYPE leadrelay_attempts_total counter');
    for (const [k, n] of this.outcomes) {
      const [c, d, o] = k.split('\u0000');
      lines.push(`leadrelay_attempts_total{campaign="${esc(c)}",delivery="${esc(d)}",outcome="${esc(o)}"} ${n}`);
    }
    lines.push('# HELP leadrelay_dispatches_skipped_total Dispatches skipped by the buyer contract.', '# TYPE leadrelay_dispatches_skipped_total counter');
    for (const [k, n] of this.skips) {
      const [c, d] = k.split('\u0000');
      lines.push(`leadrelay_dispatches_skipped_total{campaign="${esc(c)}",delivery="${esc(d)}"} ${n}`);
    }
    lines.push('# HELP leadrelay_sends_held_total Sends held back by the buyer contract, by cause.', '# TYPE leadrelay_sends_held_total counter');
    for (const [k, n] of this.holds) {
      const [c, d, by] = k.split('\u0000');
      lines.push(`leadrelay_sends_held_total{campaign="${esc(c)}",delivery="${esc(d)}",held_by="${esc(by)}"} ${n}`);
    }
    lines.push('# HELP leadrelay_attempt_duration_ms Attempt duration.', '# TYPE leadrelay_attempt_duration_ms histogram');
    for (const [k, h] of this.latency) {
      const [c, d] = k.split('\u0000');
      const labels = `campaign="${esc(c)}",delivery="${esc(d)}"`;
      BUCKETS_MS.forEach((b, i) => lines.push(`leadrelay_attempt_duration_ms_bucket{${labels},le="${b}"} ${h.buckets[i]}`));
      lines.push(`leadrelay_attempt_duration_ms_bucket{${labels},le="+Inf"} ${h.count}`);
      lines.push(`leadrelay_attempt_duration_ms_sum{${labels}} ${h.sum}`, `leadrelay_attempt_duration_ms_count{${labels}} ${h.count}`);
    }
    lines.push('# HELP leadrelay_queue_depth Jobs waiting or delayed.', '# TYPE leadrelay_queue_depth gauge');
    for (const [q, n] of Object.entries(queueDepth)) lines.push(`leadrelay_queue_depth{queue="${esc(q)}"} ${n}`);
    return `${lines.join('\n')}\n`;
  }
}
