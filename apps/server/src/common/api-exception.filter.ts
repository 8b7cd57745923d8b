import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { LOGGER } from '@leadrelay/campaigns';
import { DOMAIN_ERROR_STATUS, DomainError } from './domain.error';

const CODES: Record<number, string> = {
  400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed',
  409: 'conflict', 413: 'payload_too_large', 415: 'unsupported_media_type', 422: 'invalid', 503: 'unavailable',
};

/**
 * Turns every error into the contract's JSON shape; unknown errors are logged and answered 500 (503
 * when the database is down). Fastify's own errors (unknown route, bad content type, bad URL)
 * arrive here as HttpExceptions with their status (Nest maps them).
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<FastifyReply>();
    if (res.sent || res.raw.headersSent) {
      res.raw.destroy();
      return;
    }
    if (exception instanceof DomainError) {
      res.status(DOMAIN_ERROR_STATUS[exception.code]).send({ error: exception.code, message: exception.message, ...(exception.errors ? { errors: exception.errors } : {}) });
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && body && 'error' in body && typeof (body as { error: unknown }).error === 'string') {
        res.status(status).send(body);
        return;
      }
      const message = typeof body === 'string' ? body : ((body as { message?: string | string[] }).message ?? exception.message);
      res.status(status).send({ error: CODES[status] ?? 'error', message: Array.isArray(message) ? message.join('; ') : message });
      return;
    }
    if (isDatabaseDown(exception)) {
      res.status(503).send({ error: 'unavailable', message: 'The database is not reachable; nothing was stored. Try again shortly.' });
      return;
    }
    this.logger.error({ err: exception }, 'unhandled error');
    res.status(500).send({ error: 'internal', message: 'Something went wrong on our side.' });
  }
}

/** Connection-level failures (refused, reset, shutting down) rather than a bad statement. */
export function isDatabaseDown(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (!e) return false;
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P02', '57P03', '08006', '08001', '08003', '08000'].includes(e.code ?? '')) return true;
  return /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(e.message ?? '');
}
