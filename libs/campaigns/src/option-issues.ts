import type { z } from 'zod';
import { closestName } from '@leadrelay/sdk/internal';
import type { OptionProblem } from '@leadrelay/sdk/plugin';

type Path = (string | number)[];
type Issue = z.core.$ZodIssue;
type SchemaDef = { type: string; shape?: Record<string, z.ZodType>; innerType?: z.ZodType; in?: z.ZodType; options?: z.ZodType[]; element?: z.ZodType; valueType?: z.ZodType; items?: z.ZodType[] };

/**
 * A schema's issues as a campaign author can act on them (docs/campaigns.md › Checking campaign
 * files): an unknown key names the nearest valid one (`did you mean 'timeoutMs'?`), a union that
 * no branch matched speaks through the branch that was meant, and a bad value is echoed.
 * `siblings` are names valid beside the top-level keys although the schema does not hold them
 * (a delivery's `id` and the host's settings sit beside the plugin's options).
 */
export function describeIssues(issues: readonly Issue[], schema: z.ZodType, input: unknown, siblings: readonly string[] = []): OptionProblem[] {
  return issues.flatMap((issue) => describe(issue, [], schema, input, siblings));
}

function describe(issue: Issue, prefix: Path, schema: z.ZodType, input: unknown, siblings: readonly string[]): OptionProblem[] {
  const path = [...prefix, ...(issue.path as Path)];
  if (issue.code === 'unrecognized_keys') {
    const known = [...keysAt(schema, path), ...(path.length === 0 ? siblings : [])];
    return issue.keys.map((key) => {
      const near = closestName(key, known);
      return { path: [...path, key], message: `unknown option '${key}'${near ? `; did you mean '${near}'?` : ` (known: ${known.join(', ')})`}` };
    });
  }
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const meant = meantBranch(issue.errors);
    if (meant) return meant.flatMap((inner) => describe(inner, path, schema, input, siblings));
  }
  return [{ path, message: withValue(issue.message, valueAt(input, path)) }];
}

/**
 * The branch of a union the author meant: the one whose discriminating literal (`kind`) matched,
 * i.e. no issue at a literal; if several, the one with fewest issues.
 */
function meantBranch(branches: readonly Issue[][]): Issue[] | undefined {
  const candidates = branches.filter((issues) => !issues.some((i) => i.code === 'invalid_value' && i.path.length === 1));
  if (candidates.length === 0) return undefined;
  return candidates.reduce((best, b) => (b.length < best.length ? b : best));
}

/** The message, with the value it is about when the message does not already show it. */
function withValue(message: string, value: unknown): string {
  if (value === undefined || typeof value === 'function' || (typeof value === 'object' && value !== null)) return message;
  const shown = typeof value === 'string' ? `'${value.length > 60 ? `${value.slice(0, 57)}...` : value}'` : String(value);
  return message.includes(shown) ? message : `${message}, not ${shown}`;
}

function valueAt(input: unknown, path: Path): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

/** The keys an object schema at `path` accepts (every branch's, under a union). */
function keysAt(schema: z.ZodType, path: Path): string[] {
  const def = (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
      return keysAt(def.innerType!, path);
    case 'pipe':
      return keysAt(def.in!, path);
    case 'union':
      return [...new Set(def.options!.flatMap((o) => keysAt(o, path)))];
    case 'object': {
      if (path.length === 0) return Object.keys(def.shape!);
      const next = def.shape![String(path[0])];
      return next ? keysAt(next, path.slice(1)) : [];
    }
    case 'array':
      return path.length === 0 ? [] : keysAt(def.element!, path.slice(1));
    case 'record':
      return path.length === 0 ? [] : keysAt(def.valueType!, path.slice(1));
    case 'tuple': {
      const item = def.items![Number(path[0])];
      return item && path.length > 0 ? keysAt(item, path.slice(1)) : [];
    }
    default:
      return [];
  }
}
