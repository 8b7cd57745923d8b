import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter as BullBoardFastifyAdapter } from '@bull-board/fastify';
import { getQueueToken } from '@nestjs/bullmq';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, unauthorized } from '../common/http-errors';
import type { ServerConfig } from '../config.token';
import { crossSiteReason } from '../console/request-origin.check';
import { DISPATCH_QUEUE, SCHEDULE_QUEUE } from '../engine/queues';
import { adminByToken, forbidden, requireOperator } from './admin-token.guard';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * bull-board's page links Google Fonts; the dashboard calls nothing outside the host (like /docs),
 * so its pages may load only from here and fall back to the system's fonts.
 */
const CONTENT_SECURITY_POLICY = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'";

/** Asked of a browser with no credentials, so that it prompts for them (any user name, the token as password). */
const CHALLENGE = 'Basic realm="leadrelay queues", charset="UTF-8"';

/**
 * The admin token a request carries: `Authorization: Bearer <token>` as on the API, or Basic
 * with the token as password, which a browser remembers and sends with the dashboard's own calls.
 * The console's session cookie is not taken: its path is `/console`, so it never comes here.
 */
function credentialsOf(req: FastifyRequest): { token?: string; basic: boolean } {
  const match = /^(Bearer|Basic)\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (!match) return { basic: false };
  if (match[1].toLowerCase() === 'bearer') return { token: match[2].trim(), basic: false };
  const decoded = Buffer.from(match[2].trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return { token: colon < 0 ? undefined : decoded.slice(colon + 1), basic: true };
}

/**
 * The admin API's rule (admin-token.guard.ts), as a Fastify hook: a token from `ADMIN_TOKENS` or
 * 401; a viewer may look (GET, HEAD) but its retry, clean, pause… (every other method) is 403.
 * A browser sends Basic credentials on any request to this host, another site's included, so a
 * state-changing request with them must come from this host (console/request-origin.check.ts).
 */
function admit(config: ServerConfig) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const refuse = (err: ApiError) => {
      if (err.getStatus() === 401) reply.header('www-authenticate', CHALLENGE);
      return reply.code(err.getStatus()).send(err.getResponse());
    };
    const { token, basic } = credentialsOf(req);
    const account = adminByToken(config, token);
    if (!account) return refuse(unauthorized('A valid admin token is required: Authorization: Bearer <token>, or Basic with the token as password.'));
    if (req.method === 'GET' || req.method === 'HEAD') return;
    try {
      requireOperator(account, `${req.method} ${req.url.split('?')[0]}`);
    } catch (err) {
      return refuse(err as ApiError);
    }
    const crossSite = basic ? crossSiteReason(req) : undefined;
    if (crossSite) return refuse(forbidden(`Refused: ${crossSite}.`));
  };
}

/**
 * bull-board at `/admin/queues` (docs/api.md › Queue dashboard): every BullMQ queue the host
 * uses (engine/queues.ts), behind the admin tokens. Registered before the app listens, beside the
 * Nest routes, in a Fastify scope of its own: its hook guards only these routes, and its JSON
 * parser serves bull-board's bodies (the app's handlers read theirs themselves).
 */
export async function serveQueueDashboard(app: NestFastifyApplication, config: ServerConfig): Promise<void> {
  const board = new BullBoardFastifyAdapter();
  board.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: [DISPATCH_QUEUE, SCHEDULE_QUEUE].map((name) => new BullMQAdapter(app.get<Queue>(getQueueToken(name)))),
    serverAdapter: board,
    options: { uiConfig: { boardTitle: 'leadrelay queues' } },
  });
  await app.register(async (scope: FastifyInstance) => {
    scope.addHook('onRequest', admit(config));
    scope.addHook('onSend', async (_req, reply) => void reply.header('content-security-policy', CONTENT_SECURITY_POLICY));
    scope.addContentTypeParser('application/json', { parseAs: 'string' }, scope.getDefaultJsonParser('error', 'error'));
    await scope.register(board.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
  });
}
