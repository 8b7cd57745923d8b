/**
 * LeadConduit's JSON dot paths: `result.errors.0.message`, `baz.*.details`. Numbers index arrays,
 * `*` takes every member, `\.` is a literal dot. Only own properties are read, so a path can never
 * reach `constructor` or `__proto__`. A top-level array is also reachable as `array.…`, which is
 * how LeadConduit names it.
 */
export function selectDotPath(root: unknown, path: string): unknown[] {
  const segments = path
    .trim()
    .split(/(?<!\\)\./)
    .map((s) => s.replace(/\\\./g, '.'));
  if (Array.isArray(root) && segments[0] === 'array') segments.shift();
  let current: unknown[] = [root];
  for (const segment of segments) {
    const next: unknown[] = [];
    for (const value of current) {
      if (value === null || typeof value !== 'object') continue;
      if (segment === '*') next.push(...(Array.isArray(value) ? value : Object.values(value)));
      else if (Object.prototype.hasOwnProperty.call(value, segment)) next.push((value as Record<string, unknown>)[segment]);
    }
    current = next;
  }
  return current.filter((v) => v !== undefined);
}
