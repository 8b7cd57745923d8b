import type { DeliverySettings } from '@leadrelay/sdk';
import { unknownName } from '@leadrelay/sdk/internal';
import type { DeliveryMode, OptionProblem } from '@leadrelay/sdk/plugin';
import { fieldConditions } from './criteria.compiler';

/** The controls that act on sends one by one: a batch or a download has nothing for them to pace. */
const REALTIME_ONLY = ['hours', 'outsideHours', 'rate', 'concurrency', 'breaker', 'onCap'] as const satisfies readonly (keyof DeliverySettings)[];

/** A control that does nothing without another. */
const NEEDS = [
  { key: 'outsideHours', needs: 'hours' },
  { key: 'onCap', needs: 'caps' },
] as const satisfies readonly { key: keyof DeliverySettings; needs: keyof DeliverySettings }[];

/**
 * What is wrong with a delivery's buyer contract that its schema cannot see, each at a path
 * relative to the delivery: fields that are not the campaign's (in `when` and `dedupe.on`, with the
 * nearest name), controls that cannot act on the delivery's mode, and a control without the one it
 * modifies. Runs at load, so `campaigns:check` and start-up list them with everything else.
 */
export function contractProblems(
  settings: DeliverySettings,
  fields: readonly { name: string }[],
  mode: DeliveryMode['kind'],
): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const known = fields.map((f) => f.name);
  const unknown = (name: string) => unknownName('field', name, known);
  for (const { condition, path } of fieldConditions(settings.when)) {
    if (!known.includes(condition.field)) problems.push({ path: ['when', ...path, 'field'], message: unknown(condition.field) });
  }
  settings.dedupe?.on.forEach((name, i) => {
    if (!known.includes(name)) problems.push({ path: ['dedupe', 'on', i], message: unknown(name) });
  });
  const misplaced = new Set<string>();
  if (mode !== 'realtime') {
    for (const key of REALTIME_ONLY) {
      if (settings[key] === undefined) continue;
      problems.push({ path: [key], message: `applies only to real-time deliveries; this one is ${mode}` });
      misplaced.add(key);
    }
  }
  for (const { key, needs } of NEEDS) {
    if (settings[key] !== undefined && settings[needs] === undefined && !misplaced.has(key)) {
      problems.push({ path: [key], message: `has no effect without ${needs}` });
    }
  }
  return problems;
}
