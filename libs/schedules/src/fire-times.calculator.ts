import { CronExpressionParser } from 'cron-parser';
import { intervalMs, type ScheduleSpec } from '@leadrelay/sdk/plugin';
import { cronPatternsOf } from './job-scheduler.options';

/**
 * The next `count` times a schedule fires, strictly after `from`, earliest first (none for
 * `realtime`). Time-zone schedules are computed in their zone, so `at(['08:00'], 'America/Chicago')`
 * stays at 08:00 local time across DST changes. `every` ticks fall on multiples of the interval
 * since the epoch, as BullMQ's `getNextMillis` computes them.
 */
export function nextFireTimes(spec: ScheduleSpec, from: Date, count: number): Date[] {
  if (count <= 0) return [];
  switch (spec.kind) {
    case 'realtime':
      return [];
    case 'every': {
      const every = intervalMs(spec.interval);
      if (every === undefined) throw new Error(`interval '${spec.interval}' does not parse`);
      const first = Math.floor(from.getTime() / every) * every + every;
      return Array.from({ length: count }, (_, i) => new Date(first + i * every));
    }
    case 'at':
    case 'cron': {
      // Each pattern's own next `count` ticks hold the merged next `count`.
      const times = cronPatternsOf(spec).flatMap((pattern) =>
        CronExpressionParser.parse(pattern, { tz: spec.timeZone, currentDate: from })
          .take(count)
          .map((d) => d.getTime()),
      );
      return [...new Set(times)]
        .sort((a, b) => a - b)
        .slice(0, count)
        .map((t) => new Date(t));
    }
  }
}
