import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DOMAIN_ERROR_STATUS, DomainError } from '../common/domain.error';
import { consoleUserOf } from './console-session.store';
import { sendPage } from './console.views';

const TITLES: Record<number, string> = {
  400: 'That did not work', 403: 'Not allowed', 404: 'Not found', 409: 'Not possible right now', 413: 'Too large', 429: 'Too many attempts',
};

/**
 * A person in the console gets a page, not the API's JSON, when something they asked for does
 * not exist or cannot be done (unknown campaign or lead, a dispatch that is no longer retryable).
 * Other errors go on to the app's filter.
 */
@Catch(HttpException, DomainError)
export class ConsoleErrorFilter implements ExceptionFilter {
  catch(exception: HttpException | DomainError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<FastifyReply>();
    if (res.sent || res.raw.headersSent) {
      res.raw.destroy();
      return;
    }
    let status: number;
    let message: string;
    if (exception instanceof DomainError) {
      status = DOMAIN_ERROR_STATUS[exception.code];
      message = exception.message;
    } else {
      status = exception.getStatus();
      const body = exception.getResponse() as { message?: unknown } | string;
      message = typeof body === 'string' ? body : String(body.message ?? exception.message);
    }
    const title = TITLES[status] ?? 'Something went wrong';
    res.status(status);
    sendPage(res, 'error', title, { title, message }, consoleUserOf(host.switchToHttp().getRequest<FastifyRequest>()));
  }
}
