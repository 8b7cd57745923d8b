import type { FieldError } from './normalise-lead';

const NUL = '\u0000';
/** A UTF-16 surrogate without its partner: JSON can carry one as an escape (`"\ud800"`), UTF-8 cannot. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why a piece of submitted text cannot be kept, or undefined when it can. PostgreSQL refuses both
 * in `jsonb` (and in `text`), and a lone surrogate has no UTF-8 form to send a buyer; so such a
 * lead is refused with the field named rather than failing on the insert (docs/api.md › Intake).
 */
export function unstorableText(text: string): string | undefined {
  if (text.includes(NUL)) return 'contains a NUL character (U+0000), which cannot be stored';
  const surrogate = LONE_SURROGATE.exec(text);
  if (surrogate) {
    const code = surrogate[0].charCodeAt(0).toString(16).toUpperCase();
    return `contains an unpaired UTF-16 surrogate (U+${code}), which is not valid Unicode`;
  }
  return undefined;
}

/** One step of the walk: a value, and how it was reached (kept as links, so a path is spelt only when reported). */
interface Step {
  value: unknown;
  key: string | number;
  parent?: Step;
}

/**
 * Every top-level field of a submission whose name, or any string within its value (nested
 * objects and arrays too, names and values), cannot be stored: one error per field, naming the
 * path to the first bad text. The walk uses its own stack, so a body nested thousands deep cannot
 * exhaust the call stack.
 */
export function unstorableFields(submission: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  for (const [field, value] of Object.entries(submission)) {
    const found = firstUnstorable({ value, key: field });
    if (found) errors.push({ field, message: found });
  }
  return errors;
}

function firstUnstorable(root: Step): string | undefined {
  const stack: Step[] = [root];
  while (stack.length) {
    const step = stack.pop()!;
    const nameProblem = typeof step.key === 'string' ? unstorableText(step.key) : undefined;
    if (nameProblem) return step === root ? `the name ${nameProblem}` : `${pathOf(step)}: the name ${nameProblem}`;
    if (typeof step.value === 'string') {
      const problem = unstorableText(step.value);
      if (problem) return step === root ? problem : `${pathOf(step)}: ${problem}`;
    } else if (Array.isArray(step.value)) {
      for (let i = step.value.length - 1; i >= 0; i--) stack.push({ value: step.value[i], key: i, parent: step });
    } else if (step.value !== null && typeof step.value === 'object') {
      for (const [key, value] of Object.entries(step.value).reverse()) stack.push({ value, key, parent: step });
    }
  }
  return undefined;
}

/** `address.lines[1]`, relative to the top-level field (which the error names on its own). */
function pathOf(step: Step): string {
  const parts: string[] = [];
  for (let s: Step | undefined = step; s?.parent; s = s.parent) parts.push(typeof s.key === 'number' ? `[${s.key}]` : `.${s.key}`);
  return `at ${parts.reverse().join('').replace(/^\./, '')}`;
}
