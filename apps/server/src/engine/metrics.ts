import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DISPATCH_QUEUE } from './queues';

const BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000];

/**
 * The series `/metrics` answers (docs/api.md › Operations), in this process. One registry per
 * app, never prom-client's global one: the e2e suites start several servers in one process, and
 * each must count only its own leads.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  private readonly accepted = new Counter({ name: 'leadrelay_leads_accepted_total', help: 'Leads accepted by intake.', labelNames: ['campaign'], registers: [this.registry] });
  private readonly outcomes = new Counter({ name: 'leadrelay_attempts_total', help: 'Delivery attempts by outcome.', labelNames: ['campaign', 'delivery', 'outcome'], registers: [this.registry] });
  private readonly skips = new Counter({ name: 'leadrelay_dispatches_skipped_total', help: 'Dispatches skipped by the buyer contract.', labelNames: ['campaign', 'delivery'], registers: [this.registry] });
  private readonly holds = new Counter({ name: 'leadrelay_sends_held_total', help: 'Sends held back by the buyer contract, by cause.', labelNames: ['campaign', 'delivery', 'held_by'], registers: [this.registry] });
  private readonly latency = new Histogram({ name: 'leadrelay_attempt_duration_ms', help: 'Attempt duration.', labelNames: ['campaign', 'delivery'], buckets: BUCKETS_MS, registers: [this.registry] });

  constructor(@InjectQueue(DISPATCH_QUEUE) dispatchQueue: Queue) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'leadrelay_queue_depth',
      help: 'Jobs waiting or delayed.',
      labelNames: ['queue'],
      registers: [this.registry],
      // Read from Redis on each scrape; with Redis away the series is left out rather than a stale number.
      async collect() {
        this.reset();
        try {
          const counts = await dispatchQueue.getJobCounts('waiting', 'delayed', 'active');
          this.set({ queue: DISPATCH_QUEUE }, (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.active ?? 0));
        } catch {
          // Nothing to report.
        }
      },
    });
  }

  leadAccepted(campaign: string): void {
    this.accepted.inc({ campaign });
  }

  /** A dispatch the contract skipped (criteria, duplicate, cap, hours): final, never sent. */
  skipped(campaign: string, delivery: string): void {
    this.skips.inc({ campaign, delivery });
  }

  /** A send the contract held back for now (cap, hours, rate, breaker, paused, concurrency). */
  held(campaign: string, delivery: string, by: string): void {
    this.holds.inc({ campaign, delivery, held_by: by });
  }

  attempt(campaign: string, delivery: string, outcome: string, durationMs: number): void {
    this.outcomes.inc({ campaign, delivery, outcome });
    this.latency.observe({ campaign, delivery }, durationMs);
  }
}
