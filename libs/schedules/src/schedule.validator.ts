import { CronExpressionParser } from 'cron-parser';
import { intervalMs, timeZoneProblem, type ScheduleSpec } from '@leadrelay/sdk/plugin';

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const MACRO = /^@(yearly|annually|monthly|weekly|daily|hourly|weekdays|weekends)$/;

/**
 * What is wrong with a schedule, as messages for `file › path: message` (empty when it is fine).
 * Checked at load time, so a campaign with a schedule that would never fire, or would not parse in
 * the job scheduler, stops the deploy instead of failing silently later.
 */
export function validateSchedule(spec: ScheduleSpec): string[] {
  switch (spec.kind) {
    case 'realtime':
      return [];
    case 'every':
      return intervalMs(spec.interval) === undefined ? [`interval '${spec.interval}' must look like '15m', '1h' or '1d' (at least 1s)`] : [];
    case 'at': {
      const problems = timeZoneProblems(spec.timeZone);
      if (spec.times.length === 0) problems.push('at() needs at least one time of day');
      for (const time of spec.times) if (!TIME.test(time)) problems.push(`time '${time}' must be HH:MM (24-hour)`);
      return problems;
    }
    case 'cron': {
      const problems = timeZoneProblems(spec.timeZone);
      return [...problems, ...cronProblems(spec.expression, problems.length ? 'UTC' : spec.timeZone)];
    }
  }
}

function timeZoneProblems(tz: string): string[] {
  const problem = timeZoneProblem(tz);
  return problem ? [problem] : [];
}

function cronProblems(expression: string, tz: string): string[] {
  const text = expression.trim();
  if (!text) return ['cron expression is empty'];
  const fields = text.split(/\s+/).length;
  // cron-parser fills in missing fields (an empty string means every minute); a campaign author
  // who wrote three fields made a mistake, not a shorthand.
  if (!MACRO.test(text) && fields !== 5 && fields !== 6) {
    return [`cron expression '${text}' has ${fields} field(s); expected 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)`];
  }
  try {
    // The first tick proves the expression can fire at all (e.g. '0 0 31 4 *' never does).
    CronExpressionParser.parse(text, { tz }).next();
    return [];
  } catch (err) {
    return [`cron expression '${text}' does not parse: ${err instanceof Error ? err.message : String(err)}`];
  }
}
