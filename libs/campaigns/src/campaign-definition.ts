import { createHash } from 'node:crypto';
import { isEnvRef } from '@leadrelay/sdk/internal';

/**
 * The definition as it may be stored and shown: `env()` references by name (never their values),
 * functions by a hash of their source, regular expressions as text.
 */
export function publicForm(value: unknown): unknown {
  if (isEnvRef(value)) return `env(${value.name})`;
  if (typeof value === 'function') return `function#${createHash('sha256').update(value.toString()).digest('hex').slice(0, 12)}`;
  if (value instanceof RegExp) return value.toString();
  if (Array.isArray(value)) return value.map(publicForm);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
        .map((k) => [k, publicForm((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** A stable content hash of the public form (keys sorted at every level). */
export function contentHash(publicDefinition: unknown): string {
  return createHash('sha256').update(JSON.stringify(publicDefinition)).digest('hex').slice(0, 16);
}

/** Replaces every `env()` reference with its value; a missing variable is reported at its path. */
export function resolveEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: (string | number)[],
  problems: { path: (string | number)[]; message: string }[],
  resolved: { path: (string | number)[]; value: string }[] = [],
): unknown {
  if (isEnvRef(value)) {
    const found = env[value.name] || value.fallback;
    if (found === undefined || found === '') {
      problems.push({ path, message: `environment variable ${value.name} is not set` });
      return '';
    }
    resolved.push({ path, value: found });
    return found;
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveEnv(v, env, [...path, i], problems, resolved));
  if (value && typeof value === 'object' && !(value instanceof RegExp) && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveEnv(v, env, [...path, k], problems, resolved)]));
  }
  return value;
}

/**
 * `['deliveries', 0, 'mapping', 'zipp']` → `deliveries[acme-crm].mapping.zipp` when `deliveryIds`
 * names delivery 0 (`deliveries[0]…` otherwise).
 */
export function formatPath(path: readonly (string | number | symbol)[], deliveryIds: readonly unknown[] = []): string {
  return (
    path
      .map((p, i) => {
        if (typeof p !== 'number') return i === 0 ? String(p) : `.${String(p)}`;
        const id = i === 1 && path[0] === 'deliveries' ? deliveryIds[p] : undefined;
        return `[${typeof id === 'string' && id !== '' ? id : p}]`;
      })
      .join('') || '(campaign)'
  );
}

const SECRET_PATH = /auth|header|sign|password|passphrase|token|secret|key|smtp/i;

/** Values that came from `env()` in secret-looking places: redacted wherever attempts show them. */
export function secretValues(resolved: { path: (string | number)[]; value: string }[]): string[] {
  return resolved.filter((r) => r.path.some((p) => typeof p === 'string' && SECRET_PATH.test(p))).map((r) => r.value);
}
