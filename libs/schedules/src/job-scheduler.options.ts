import { intervalMs, type ScheduleSpec } from '@leadrelay/sdk/plugin';

/** BullMQ's `RepeatOptions`, the part a schedule decides. */
export interface RepeatOptions {
  /** Cron pattern (5 fields, or 6 with seconds first), read in `tz`. */
  pattern?: string;
  /** Fixed interval in milliseconds. */
  every?: number;
  /** IANA time zone of `pattern`. */
  tz?: string;
}

/** One BullMQ job scheduler a schedule needs. */
export interface ScheduleRepeat {
  /**
   * Stable for the same schedule, different for a different one: the host makes the scheduler id
   * from it (with the campaign and delivery), upserts the ones a deploy wants and removes the
   * rest. It holds no `:` and no space: BullMQ 6 treats ids shaped `name:id:end:tz:<cron>` as
   * legacy repeatable-job keys and refuses them.
   */
  key: string;
  repeat: RepeatOptions;
}

/**
 * The job schedulers that fire a delivery's schedule. `realtime` needs none; `every` and `cron`
 * one each; `at` one per distinct minute, since one cron pattern covers times that share a
 * minute (`08:00`, `15:00` → `0 8,15 * * *`) and no more.
 *
 * Expects a schedule that passed `validateSchedule`; throws on one that cannot be turned into
 * repeat options.
 *
 * BullMQ 6 starts an `every` scheduler at the moment it is created and repeats from there; to
 * have the ticks fall on the aligned times `nextFireTimes` reports (multiples of the interval
 * since the epoch, e.g. :00, :15, :30, :45), create it with `startDate: nextFireTimes(spec, now, 1)[0]`.
 */
export function repeatOptionsFor(spec: ScheduleSpec): ScheduleRepeat[] {
  switch (spec.kind) {
    case 'realtime':
      return [];
    case 'every': {
      const every = intervalMs(spec.interval);
      if (every === undefined) throw new Error(`interval '${spec.interval}' does not parse`);
      return [{ key: `every-${every}`, repeat: { every } }];
    }
    case 'at':
    case 'cron':
      return cronPatternsOf(spec).map((pattern) => ({
        key: `cron-${pattern.replace(/ /g, '_')}-${spec.timeZone}`,
        repeat: { pattern, tz: spec.timeZone },
      }));
  }
}

/** The cron patterns of an `at` or `cron` schedule, read in the schedule's time zone. */
export function cronPatternsOf(spec: Extract<ScheduleSpec, { kind: 'at' | 'cron' }>): string[] {
  if (spec.kind === 'cron') return [spec.expression.trim().split(/\s+/).join(' ')];
  const hoursByMinute = new Map<number, Set<number>>();
  for (const time of spec.times) {
    const m = /^(\d{2}):(\d{2})$/.exec(time.trim());
    if (!m) throw new Error(`time '${time}' is not HH:MM`);
    const [hour, minute] = [Number(m[1]), Number(m[2])];
    if (!hoursByMinute.has(minute)) hoursByMinute.set(minute, new Set());
    hoursByMinute.get(minute)!.add(hour);
  }
  return [...hoursByMinute.entries()]
    .sort(([a], [b]) => a - b)
    .map(([minute, hours]) => `${minute} ${[...hours].sort((a, b) => a - b).join(',')} * * *`);
}
