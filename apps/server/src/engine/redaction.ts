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
