/*
 * Names a campaign author probably meant: every "unknown …" message in a check suggests the
 * nearest valid name (docs/campaigns.md › Checking campaign files).
 */

/** Optimal string alignment distance: edits, with a swap of neighbours counting as one. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/**
 * The candidate `name` is most likely a typo of, or undefined when none is near: compared without
 * case, by edit distance (at most 2, or a third of the name), a prefix either way counting as near,
 * and for names with `/` (time zones) the last part alone too, so `'Chicago'` finds `'America/Chicago'`.
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const wanted = name.trim().toLowerCase();
  const lastPart = (s: string) => s.slice(s.lastIndexOf('/') + 1);
  const limit = Math.max(2, Math.floor(wanted.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const c = candidate.toLowerCase();
    const prefix = wanted.length >= 3 && c.length >= 3 && (c.startsWith(wanted) || wanted.startsWith(c));
    const distance = Math.min(editDistance(wanted, c), editDistance(lastPart(wanted), lastPart(c)), prefix ? 1 : Infinity);
    if (distance <= limit && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

/**
 * `unknown field 'zipp' (campaign fields: zip, state); did you mean 'zip'?` — the message every
 * check gives for a name that is not one of `known`.
 */
export function unknownName(kind: string, name: string, known: readonly string[], listed = kind === 'field' ? 'campaign fields' : `${kind}s`): string {
  const near = closestName(name, known);
  return `unknown ${kind} '${name}' (${listed}: ${known.join(', ')})${near ? `; did you mean '${near}'?` : ''}`;
}
