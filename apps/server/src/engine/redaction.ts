const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token|.*(token|secret|password|passwd|signature).*)$/i;
const SECRET_PARAM = /^(password|passwd|pass|pwd|secret|token|api_?key|access_?token|auth)$/i;

/** Header values that must never be stored or logged in clear. */
export function redactHeaders(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name] = SECRET_HEADER.test(name) ? '[redacted]' : value;
  return out;
}

/** A URL with its user-info password and secret-looking query values replaced. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = 'redacted';
    for (const key of [...u.searchParams.keys()]) if (SECRET_PARAM.test(key)) u.searchParams.set(key, '[redacted]');
    return u.toString();
  } catch {
    return url;
  }
}

/** Removes known secret values (basic-auth password, bearer token …) wherever they appear in text. */
export function redactValues(text: string | undefined, secrets: readonly string[]): string | undefined {
  if (text === undefined) return undefined;
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]');
  return out;
}

/**
 * The secret values a request carried in its headers (an `Authorization` value, its credentials
 * without the scheme, a basic-auth password): a buyer that echoes them back must not get them stored.
 */
export function credentialValues(headers: Record<string, string> | undefined): string[] {
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
  return values;
}
