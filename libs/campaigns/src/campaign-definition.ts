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

/** A value an `env()` reference resolved to, at its path. */
export interface EnvValue {
  path: (string | number)[];
  value: string;
  /** The variable's name, when it was unset and the value is the fallback written in the file. */
  fallbackOf?: string;
}

/** Replaces every `env()` reference with its value; a missing variable is reported at its path. */
export function resolveEnv(
  value: unknown,
  env: NodeJS.ProcessEnv,
  path: (string | number)[],
  problems: { path: (string | number)[]; message: string }[],
  resolved: EnvValue[] = [],
): unknown {
  if (isEnvRef(value)) {
    const found = env[value.name] || value.fallback;
    if (found === undefined || found === '') {
      problems.push({ path, message: `environment variable ${value.name} is not set` });
      return '';
    }
    resolved.push(env[value.name] ? { path, value: found } : { path, value: found, fallbackOf: value.name });
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
/** Options that hold a URL (`url`, `testUrl`, `smtpUrl`): only its secret parts are secrets. */
const URL_OPTION = /url$/i;

/**
 * A path this long or longer, from a URL in `env()`, is redacted wherever it appears; a shorter
 * one (`/json`, `/leads`) only inside the stored URL, or every `application/json` would lose a part.
 */
const MIN_REDACTED_PATH = 8;

/**
 * The secret parts of a URL from `env()`: the URL up to its path, when it has one (a key in the
 * path, as in `/hooks/<key>/leads`, cannot be told from the rest of the path; the recorder stores
 * such a URL as `https://host/[redacted]`), the path itself when long enough to be told apart
 * (a buyer's "Cannot POST /hooks/<key>/leads"), and its password. The host stays readable; secret
 * query values are redacted by name (docs/security.md › Redaction).
 */
function urlSecrets(value: string): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [value];
  }
  const password = url.password;
  for (const part of ['username', 'password', 'search', 'hash'] as const) url[part] = '';
  const hasPath = url.pathname !== '' && url.pathname !== '/';
  const parts = [hasPath ? url.toString() : '', url.pathname.length >= MIN_REDACTED_PATH ? url.pathname : '', password, decodedOrRaw(password)];
  return [...new Set(parts)].filter((p) => p !== '');
}

function decodedOrRaw(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Values that came from `env()` in secret places, redacted wherever attempts show them:
 * passwords, tokens, keys, signing secrets, header values, the secret parts of URLs. User names
 * are left out, so text that merely equals one (a `user-agent`) is stored as sent.
 */
export function secretValues(resolved: { path: (string | number)[]; value: string }[]): string[] {
  return resolved.flatMap(({ path, value }) => {
    const names = path.filter((p): p is string => typeof p === 'string');
    const name = names[names.length - 1] ?? '';
    if (names[0] === 'headers') return [value];
    // A user name is no secret: it is redacted inside the `Authorization` header only.
    if (name === 'username') return [];
    if (URL_OPTION.test(name)) return urlSecrets(value);
    return names.some((p) => SECRET_PATH.test(p)) ? [value] : [];
  });
}

/**
 * Production mode (docs/security.md › Production mode): the `env()` references of a campaign whose
 * variable is unset and whose fallback — a value in git — would be a secret (what secretValues
 * redacts: intake keys, passwords, tokens, header values, URLs with a path or a password). Each
 * is a problem at its path, as an unset variable is.
 */
export function secretFallbacks(definition: { intakeKeys?: unknown; deliveries?: unknown }, env: NodeJS.ProcessEnv): { path: (string | number)[]; message: string }[] {
  const fromFallback = (value: unknown, path: (string | number)[]) => {
    const resolved: EnvValue[] = [];
    resolveEnv(value, env, path, [], resolved);
    return resolved.filter((r) => r.fallbackOf !== undefined && secretValues([r]).length > 0);
  };
  const deliveries = Array.isArray(definition.deliveries) ? definition.deliveries : [];
  const found = [
    ...fromFallback(definition.intakeKeys, ['intakeKeys']),
    // A delivery's secrets are judged by their path inside its options, as secretValues sees them.
    ...deliveries.flatMap((d, i) => fromFallback((d as { options?: unknown } | null)?.options, []).map((r) => ({ ...r, path: ['deliveries', i, ...r.path] }))),
    // A sale's buyers: each phase's options, as the file writes their paths.
    ...deliveries.flatMap((d, i) => {
      const buyers = (d as { auction?: { buyers?: unknown } } | null)?.auction?.buyers;
      return (Array.isArray(buyers) ? buyers : []).flatMap((b, j) =>
        (['ping', 'post'] as const).flatMap((phase) =>
          fromFallback((b as Record<string, { options?: unknown } | undefined> | null)?.[phase]?.options, []).map((r) => ({ ...r, path: ['deliveries', i, 'buyers', j, phase, ...r.path] })),
        ),
      );
    }),
  ];
  return found.map((r) => ({
    path: r.path,
    message: `environment variable ${r.fallbackOf} is not set; NODE_ENV=production does not use its fallback, which is in git, where a secret goes`,
  }));
}
