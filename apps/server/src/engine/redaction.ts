const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token|.*(token|secret|password|passwd|signature).*)$/i;

/**
 * Query parameters whose values are secrets, by name compared in lower case without `-` and `_`
 * (`api_key`, `api-key`, `apiKey` and `APIKEY` are one name). The list is documented in
 * docs/security.md › Redaction; keep the two the same.
 */
const SECRET_QUERY_NAMES = new Set([
  'key',
  'apikey',
  'xapikey',
  'token',
  'accesstoken',
  'authtoken',
  'refreshtoken',
  'idtoken',
  'auth',
  'authorization',
  'sig',
  'signature',
  'hmac',
  'secret',
  'clientsecret',
  'secretkey',
  'privatekey',
  'password',
  'passwd',
  'pass',
  'pwd',
  'passphrase',
]);

/** What a redacted value is stored as; the console marks a header with exactly this value redacted. */
export const REDACTED = '[redacted]';

/** Header values that must never be stored or logged in clear. */
export function redactHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name] = SECRET_HEADER.test(name) ? REDACTED : value;
  return out;
}

function decodedOrRaw(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function isSecretQueryName(rawName: string): boolean {
  return SECRET_QUERY_NAMES.has(decodedOrRaw(rawName).toLowerCase().replace(/[-_]/g, ''));
}

/** A URL's query as sent: `name=value` pairs, split without decoding. */
function queryPairs(query: string): { name: string; value?: string }[] {
  return query
    .split('&')
    .map((pair) => {
      const at = pair.indexOf('=');
      return at < 0 ? { name: pair } : { name: pair.slice(0, at), value: pair.slice(at + 1) };
    });
}

/** The base of a URL (before `?`) as it may be stored: a secret base (a URL from env()) keeps only its origin, a password is replaced. */
function redactBase(base: string, secrets: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    return base;
  }
  const withoutPassword = new URL(url);
  withoutPassword.username = '';
  withoutPassword.password = '';
  if (secrets.includes(withoutPassword.toString())) return `${url.origin}/${REDACTED}`;
  if (!url.password) return base;
  url.password = 'redacted';
  return url.toString();
}

/**
 * A URL as it may be stored, otherwise exactly as sent: a path that came from `env()` (its whole
 * base is one of `secrets`) shown as `/[redacted]`, a user-info password replaced, and the values
 * of secret query parameters (`SECRET_QUERY_NAMES`) replaced.
 */
export function redactUrl(url: string, secrets: readonly string[] = []): string {
  const at = url.indexOf('?');
  const base = redactBase(at < 0 ? url : url.slice(0, at), secrets);
  if (at < 0) return base;
  const query = queryPairs(url.slice(at + 1))
    .map(({ name, value }) => (value === undefined ? name : `${name}=${isSecretQueryName(name) ? REDACTED : value}`))
    .join('&');
  return `${base}?${query}`;
}

/**
 * Removes known secret values (passwords, tokens, signing secrets, env() values) wherever they
 * appear in text. Values shorter than 4 characters are left: replacing them would garble text.
 */
export function redactValues(text: string | undefined, secrets: readonly string[]): string | undefined {
  if (text === undefined) return undefined;
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join(REDACTED);
  return out;
}

/**
 * The secret values a request carried in its headers (an `Authorization` value, its credentials
 * without the scheme, a basic-auth password — never the user name alone) and in its URL's secret
 * query parameters: a buyer that echoes them back must not get them stored.
 */
export function credentialValues(headers: Record<string, string> | undefined, url?: string): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!value || !SECRET_HEADER.test(name)) continue;
    values.push(value);
    const scheme = /^\s*([A-Za-z][\w-]*)\s+(\S.*)$/.exec(value);
    if (!scheme) continue;
    values.push(scheme[2]);
    if (scheme[1].toLowerCase() === 'basic') {
      const decoded = Buffer.from(scheme[2], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon >= 0) values.push(decoded, decoded.slice(colon + 1));
    }
  }
  return [...values, ...queryCredentialValues(url)];
}

/** The values of a URL's secret query parameters, as sent and decoded. */
function queryCredentialValues(url: string | undefined): string[] {
  const at = url?.indexOf('?') ?? -1;
  if (!url || at < 0) return [];
  return queryPairs(url.slice(at + 1))
    .filter(({ name, value }) => value && isSecretQueryName(name))
    .flatMap(({ value }) => [value!, decodedOrRaw(value!)]);
}
