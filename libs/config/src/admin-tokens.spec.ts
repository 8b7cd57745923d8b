import { ConfigError, loadConfig } from './config';
import { parseAdminTokens } from './admin-tokens';

const load = (ADMIN_TOKENS: string, more: NodeJS.ProcessEnv = {}) => loadConfig({ ADMIN_TOKENS, ...more }, () => 'generated-token');
const problemsOf = (ADMIN_TOKENS: string, more: NodeJS.ProcessEnv = {}): string[] => {
  try {
    load(ADMIN_TOKENS, more);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('the configuration was accepted');
};

describe('ADMIN_TOKENS (docs/api.md › Tokens and roles)', () => {
  it('keeps the format without names: each bare token is an operator named by its place', () => {
    const config = load('alpha, beta');
    expect(config.admins).toEqual([
      { name: 'token-1', token: 'alpha', role: 'operator', named: false },
      { name: 'token-2', token: 'beta', role: 'operator', named: false },
    ]);
    expect(config.adminTokens).toEqual(['alpha', 'beta']);
  });

  it('reads name:token as an operator and name:token:viewer as a viewer, beside bare tokens', () => {
    expect(load('ops:s3cret,watch:look:viewer,boss:b0ss:operator,plain').admins).toEqual([
      { name: 'ops', token: 's3cret', role: 'operator', named: true },
      { name: 'watch', token: 'look', role: 'viewer', named: true },
      { name: 'boss', token: 'b0ss', role: 'operator', named: true },
      { name: 'token-4', token: 'plain', role: 'operator', named: false },
    ]);
  });

  it('names the generated token when ADMIN_TOKENS is empty', () => {
    const config = load('');
    expect(config.admins).toEqual([{ name: 'generated', token: 'generated-token', role: 'operator', named: false }]);
    expect(config.generatedAdminToken).toBe('generated-token');
  });

  it('lists every bad entry by its place and name, never echoing a token', () => {
    const problems = problemsOf('a:tok-a:admin,b:,:tok-c,x:y:z:w,d:tok-d,d:tok-e,e:tok-d,bad name:tok-f');
    expect(problems).toEqual([
      "ADMIN_TOKENS: entry 1: 'a' has the role 'admin'; a role is operator (the default) or viewer",
      "ADMIN_TOKENS: entry 2: 'b' has no token after its name",
      "ADMIN_TOKENS: entry 3: the name '' must be 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit",
      'ADMIN_TOKENS: entry 4: write it as token, name:token or name:token:viewer (a token may not contain ":")',
      "ADMIN_TOKENS: entry 8: the name 'bad name' must be 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit",
      "ADMIN_TOKENS: the name 'd' is used twice",
      "ADMIN_TOKENS: 'd' and 'e' have the same token",
    ]);
    for (const token of ['tok-a', 'tok-c', 'tok-d', 'tok-e', 'tok-f']) expect(problems.join('\n')).not.toContain(token);
  });

  it('lists ADMIN_TOKENS problems together with every other bad variable', () => {
    expect(problemsOf('a:b:c', { SESSION_SECRET: 'short' })).toEqual([
      "ADMIN_TOKENS: entry 1: 'a' has the role 'c'; a role is operator (the default) or viewer",
      'SESSION_SECRET: must be at least 32 characters',
    ]);
  });

  it('parses an empty list to no accounts and no problems', () => {
    expect(parseAdminTokens(' , ')).toEqual({ accounts: [], problems: [] });
  });
});
