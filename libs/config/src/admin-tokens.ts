/**
 * What a token may do: a viewer reads; an operator also changes things (deliver, retry, pause,
 * resume, run now, erase). Operator is the default, so a list written before roles existed keeps
 * every token able to do what it could (docs/api.md › Admin API › Tokens and roles).
 */
export type AdminRole = 'operator' | 'viewer';

/** One entry of `ADMIN_TOKENS`: the name is what the audit log and the console show, never the token. */
export interface AdminAccount {
  name: string;
  token: string;
  role: AdminRole;
  /** False for an entry written as a bare token: its name is then `token-<its place in the list>`. */
  named: boolean;
}

const ROLES: readonly string[] = ['operator', 'viewer'];
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

/** The name of an entry written without one (`ADMIN_TOKENS=secret`): its place in the list. */
const unnamed = (position: number) => `token-${position}`;

/** The name given to a token generated at start because `ADMIN_TOKENS` is empty. */
export const GENERATED_TOKEN_NAME = 'generated';

/**
 * Splits `ADMIN_TOKENS` (comma-separated `token`, `name:token` or `name:token:viewer`) into
 * accounts, or lists what is wrong with it. A problem names the entry by its place and its name,
 * never by its token, since the message ends up in a terminal or a log.
 */
export function parseAdminTokens(value: string): { accounts: AdminAccount[]; problems: string[] } {
  const entries = value.split(',').map((e) => e.trim()).filter(Boolean);
  const accounts: AdminAccount[] = [];
  const problems: string[] = [];
  entries.forEach((entry, i) => {
    const parsed = parseEntry(entry, i + 1);
    if (typeof parsed === 'string') problems.push(`entry ${i + 1}: ${parsed}`);
    else accounts.push(parsed);
  });
  problems.push(...duplicates(accounts));
  return { accounts, problems };
}

function parseEntry(entry: string, position: number): AdminAccount | string {
  const parts = entry.split(':').map((p) => p.trim());
  if (parts.length === 1) return { name: unnamed(position), token: parts[0], role: 'operator', named: false };
  if (parts.length > 3) return 'write it as token, name:token or name:token:viewer (a token may not contain ":")';
  const [name, token, role = 'operator'] = parts;
  if (!NAME.test(name)) return `the name '${name}' must be 1 to 64 letters, digits, '.', '_', '@' or '-', starting with a letter or digit`;
  if (!token) return `'${name}' has no token after its name`;
  if (!ROLES.includes(role)) return `'${name}' has the role '${role}'; a role is operator (the default) or viewer`;
  return { name, token, role: role as AdminRole, named: true };
}

/** Two entries with one name would share an audit trail; two with one token could not be told apart. */
function duplicates(accounts: AdminAccount[]): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  const tokens = new Map<string, string>();
  for (const account of accounts) {
    if (names.has(account.name)) problems.push(`the name '${account.name}' is used twice`);
    names.add(account.name);
    const other = tokens.get(account.token);
    if (other !== undefined) problems.push(`'${other}' and '${account.name}' have the same token`);
    tokens.set(account.token, account.name);
  }
  return problems;
}
