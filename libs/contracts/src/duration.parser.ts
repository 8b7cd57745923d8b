import { durationMs, durationProblem } from '@leadrelay/sdk/internal';

/**
 * A contract's duration in ms: a whole number and a unit, `ms`, `s`, `m`, `h` or `d`
 * (`'500ms'`, `'1s'`, `'1m'`, `'2h'`, `'30d'`), more than 0. Throws on anything else.
 *
 * @example parseDuration('30d') // 2592000000
 */
export function parseDuration(d: string): number {
  const ms = durationMs(d);
  if (ms === undefined) throw new Error(`invalid duration: ${durationProblem(d)}`);
  return ms;
}
