import { timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { unauthorized } from '../common/http-errors';
import { APP_CONFIG, type ServerConfig } from '../config.token';

export function isAdminToken(config: ServerConfig, token: string | undefined): boolean {
  if (!token) return false;
  const given = Buffer.from(token);
  return config.adminTokens.some((t) => {
    const expected = Buffer.from(t);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

/** `Authorization: Bearer <token>` with a token from `ADMIN_TOKENS`; anything else is 401. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: ServerConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (!isAdminToken(this.config, match?.[1]?.trim())) throw unauthorized('A valid admin token is required: Authorization: Bearer <token>.');
    return true;
  }
}
