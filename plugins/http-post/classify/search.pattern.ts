/**
 * A pattern as classifier settings write it: a regular expression, optionally as `/source/flags`.
 * `null` means the text is not a valid expression (it then matches nothing).
 */
export function toPattern(text: string, options: { ignoreCase: boolean }): RegExp | null {
  const slashed = /^\/(.+)\/([a-z]*)$/s.exec(text);
  const [source, written] = slashed && /^(?!.*(.).*\1)[dgimsuvy]*$/.test(slashed[2]) ? [slashed[1], slashed[2]] : [text, ''];
  // Only the first match is ever used: `g` and `y` would only make `test` remember where it stopped.
  const flags = new Set(written.replace(/[gy]/g, ''));
  if (options.ignoreCase) flags.add('i');
  try {
    return new RegExp(source, [...flags].join(''));
  } catch {
    return null;
  }
}

/** Rule settings accept a RegExp or its text. */
export function asPattern(pattern: RegExp | string): RegExp | null {
  if (typeof pattern === 'string') return toPattern(pattern, { ignoreCase: false });
  return new RegExp(pattern.source, pattern.flags.replace(/[gy]/g, ''));
}

/** The first group of the first match, or the whole match when the expression has no group. */
export function firstGroup(pattern: RegExp, text: string): string | undefined {
  const match = pattern.exec(text);
  if (!match) return undefined;
  return match.length > 1 ? match[1] : match[0];
}
