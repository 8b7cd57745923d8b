/**
 * `NODE_ENV=production`: the defaults that make a fresh machine work at once (a generated admin
 * token, the demo buyer, intake keys that fall back to values in git) are refused instead of used,
 * each by name, before anything is opened (docs/security.md › Production mode). The env()
 * fallbacks of campaign files are judged where the files are loaded (LoadOptions).
 */
export function inProduction(config: { NODE_ENV?: string }): boolean {
  return config.NODE_ENV === 'production';
}

/** The settings production mode refuses, each as `NAME: why, and what to do`; empty when none. */
export function insecureSettings(config: { DEMO_BUYER: 'on' | 'off' }, adminTokenCount: number): string[] {
  const problems: string[] = [];
  if (adminTokenCount === 0) {
    problems.push('ADMIN_TOKENS: is not set; production mode generates no admin token, so set one or more (long random tokens)');
  }
  if (config.DEMO_BUYER === 'on') {
    problems.push('DEMO_BUYER: is on (its default); the demo buyer answers anyone at /demo-buyer, so set DEMO_BUYER=off');
  }
  return problems;
}
