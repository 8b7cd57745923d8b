import { createHmac, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AdminAccount, AdminRole } from '@leadrelay/config';
import { sameText } from '../admin/admin-token.guard';
import { Database } from '../common/database';
import { APP_CONFIG, type ServerConfig } from '../config.token';

/** A signed-in person, as a console request knows them. */
export interface ConsoleUser {
  sessionId: string;
  name: string;
  role: AdminRole;
  /** The token every state-changing form of this session carries (`_csrf`). */
  csrf: string;
}

const users = new WeakMap<FastifyRequest, ConsoleUser>();

/** Who the session of this request belongs to, once `ConsoleSessions.check` accepted it (the error pages use it). */
export function consoleUserOf(req: FastifyRequest): ConsoleUser | undefined {
  return users.get(req);
}

/**
 * Console sessions (docs/api.md › Console › Sessions). The cookie is `<id>.<issued-at ms>.<HMAC>`,
 * signed with `SESSION_SECRET`; the row in `console_session` is what makes it valid, so any
 * instance can check it and signing out ends it everywhere. A session is over when it has not
 * been used for `CONSOLE_SESSION_IDLE_MS`, `CONSOLE_SESSION_MAX_MS` after its sign-in, when its
 * token is removed or changed in `ADMIN_TOKENS`, or when it signs out.
 */
@Injectable()
export class ConsoleSessions {
  private readonly secret: Buffer;

  constructor(
    @Inject(APP_CONFIG) private readonly config: ServerConfig,
    private readonly db: Database,
  ) {
    this.secret = sessionSecret(config);
  }

  /** Starts a session for this token's entry and returns the cookie's value. */
  async open(account: AdminAccount): Promise<string> {
    const id = randomUUID();
    const issuedAt = new Date();
    await this.forgetExpired();
    await this.db.query('insert into console_session (id, token_name, token_check, created_at, last_seen_at) values ($1, $2, $3, $4, $4)', [
      id,
      account.name,
      this.tokenCheck(account.token),
      issuedAt,
    ]);
    const signed = `${id}.${issuedAt.getTime()}`;
    return `${signed}.${this.mac(signed)}`;
  }

  /** The session's user when the cookie is genuine and its session still open (and marks it used); otherwise undefined. */
  async check(req: FastifyRequest, cookie: string | undefined): Promise<ConsoleUser | undefined> {
    const claim = this.verify(cookie);
    if (!claim || Date.now() - claim.issuedAt > this.config.CONSOLE_SESSION_MAX_MS) return undefined;
    const { rows } = await this.db.query<{ token_name: string; token_check: string; created_at: Date }>(
      `update console_session set last_seen_at = now()
        where id = $1 and last_seen_at > now() - $2 * interval '1 millisecond'
        returning token_name, token_check, created_at`,
      [claim.id, this.config.CONSOLE_SESSION_IDLE_MS],
    );
    const row = rows[0];
    if (!row || row.created_at.getTime() !== claim.issuedAt) return undefined;
    const account = this.config.admins.find((a) => a.name === row.token_name);
    if (!account || !sameText(this.tokenCheck(account.token), row.token_check)) return undefined;
    const user = { sessionId: claim.id, name: account.name, role: account.role, csrf: this.mac(`csrf.${claim.id}`) };
    users.set(req, user);
    return user;
  }

  /** Ends the session: its row goes, so the same cookie, replayed later, is refused. */
  async close(sessionId: string): Promise<void> {
    await this.db.query('delete from console_session where id = $1', [sessionId]);
  }

  /** The session id and issued-at of a cookie whose HMAC is right; undefined for anything else. */
  private verify(cookie: string | undefined): { id: string; issuedAt: number } | undefined {
    const match = /^([0-9a-f-]{36})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(cookie ?? '');
    if (!match || !sameText(this.mac(`${match[1]}.${match[2]}`), match[3])) return undefined;
    return { id: match[1], issuedAt: Number(match[2]) };
  }

  private mac(text: string): string {
    return createHmac('sha256', this.secret).update(text).digest('base64url');
  }

  private tokenCheck(token: string): string {
    return this.mac(`token.${token}`);
  }

  /** Sessions past their time are of no use to anyone; each sign-in clears them out. */
  private async forgetExpired(): Promise<void> {
    await this.db.query(
      `delete from console_session where last_seen_at <= now() - $1 * interval '1 millisecond' or created_at <= now() - $2 * interval '1 millisecond'`,
      [this.config.CONSOLE_SESSION_IDLE_MS, this.config.CONSOLE_SESSION_MAX_MS],
    );
  }
}

/**
 * `SESSION_SECRET`, or, without it, a key derived from every token in `ADMIN_TOKENS`: instances
 * with the same tokens agree on it (so a session is good on all of them), and changing the tokens
 * signs everyone out. Only someone who holds every token could derive it.
 */
function sessionSecret(config: ServerConfig): Buffer {
  if (config.SESSION_SECRET) return Buffer.from(config.SESSION_SECRET);
  const tokens = config.admins.map((a) => a.token).sort();
  return createHmac('sha256', 'leadrelay console session secret').update(tokens.join('\n')).digest();
}
