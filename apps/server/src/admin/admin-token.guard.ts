import { timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AdminAccount, AdminRole } from '@leadrelay/config';
import { ApiError, unauthorized } from '../common/http-errors';
import { APP_CONFIG, type ServerConfig } from '../config.token';

/** Who a request acts as: the name and role of its `ADMIN_TOKENS` entry, never the token. */
export interface AdminIdentity {
  name: string;
  role: AdminRole;
}

const identities = new WeakMap<FastifyRequest, AdminIdentity>();

export const forbidden = (message: string) => new ApiError(403, 'forbidden', message);

/**
 * The `ADMIN_TOKENS` entry with this token, if any. Every entry is compared, in constant time
 * each, so the answer's timing does not tell how much of a guess was right.
 */
export function adminByToken(config: ServerConfig, token: string | undefined): AdminAccount | undefined {
  if (!token) return undefined;
  let found: AdminAccount | undefined;
  for (const account of config.admins) if (sameText(account.token, token)) found = account;
  return found;
}

export function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Who the guard let this request in as (for the audit log). */
export function adminOf(req: FastifyRequest): AdminIdentity {
  const identity = identities.get(req);
  if (!identity) throw new Error('adminOf() on a request the AdminTokenGuard did not admit');
  return identity;
}

/** The audit log's actor for an admin API request: its token's name. */
export function apiActor(req: FastifyRequest): { name: string; via: 'api' } {
  return { name: adminOf(req).name, via: 'api' };
}

/** Refuses a viewer (403): `what` says what it tried, e.g. "retry a dispatch". */
export function requireOperator(identity: AdminIdentity, what: string): void {
  if (identity.role === 'viewer') {
    throw forbidden(`The token '${identity.name}' is a viewer: it can read but not ${what}. Use an operator token (docs/api.md › Tokens and roles).`);
  }
}

/**
 * `Authorization: Bearer <token>` with a token from `ADMIN_TOKENS`; anything else is 401. A
 * viewer's token may only read: any other method than GET or HEAD is 403, whatever the route, so
 * a route added later that changes something is closed to viewers without having to remember it.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: ServerConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    const account = adminByToken(this.config, match?.[1]?.trim());
    if (!account) throw unauthorized('A valid admin token is required: Authorization: Bearer <token>.');
    const identity = { name: account.name, role: account.role };
    if (req.method !== 'GET' && req.method !== 'HEAD') requireOperator(identity, `${req.method} ${req.url.split('?')[0]}`);
    identities.set(req, identity);
    return true;
  }
}
