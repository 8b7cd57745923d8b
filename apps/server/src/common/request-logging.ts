import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { Logger as NestPinoLogger, PinoLogger, type Params } from 'nestjs-pino';
import type { Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';

export const REQUEST_ID_HEADER = 'x-request-id';

/** A caller's own id is kept when it looks like one (a UUID, a trace id): short, no spaces or quotes. */
const SANE_REQUEST_ID = /^[\w.:@=+/-]{1,128}$/;

/** The loggers pino-http made for requests being served, with each one's request id. */
const requestIds = new WeakMap<Logger, string>();

/** Fastify's `genReqId`: the request's one id, which pino-http and the answer take from it. */
export function requestIdOf(req: IncomingMessage): string {
  const given = req.headers[REQUEST_ID_HEADER];
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

/**
 * Nest's lines through nestjs-pino: inside a request, through that request's logger (so with its
 * id); outside one, through this app's logger. nestjs-pino falls back to one root logger per
 * process, the first app's, and the e2e suites run several apps in one process.
 */
class AppPinoLogger extends PinoLogger {
  constructor(params: Params, private readonly appLogger: Logger) {
    super(params);
  }

  override get logger(): Logger {
    const current = super.logger;
    return requestIds.has(current) ? current : this.appLogger;
  }
}

/** Nest's framework chatter (modules initialised, routes mapped) is `log`: kept at debug, as before nestjs-pino. */
class NestLogLines extends NestPinoLogger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    this.debug(message, ...optionalParams);
  }
}

/**
 * One request id per request, on every log line written while serving it (docs/architecture.md ›
 * Logs): taken from `X-Request-Id` when sane, else a new UUID (Fastify's `genReqId`, bootstrap.ts), and
 * answered in `X-Request-Id`.
 * pino-http makes the request's logger (bound to `reqId`) and logs the request when it ends: at
 * debug, so `info` has no line per lead; a 5xx at warn. nestjs-pino's LoggerModule (`params`, with
 * `useExisting`) keeps that logger in its AsyncLocalStorage for the request's duration, and
 * `mixin` (pino's, on the app logger) adds `reqId` to the lines our services write through the
 * injected logger meanwhile. pino-http is ours, one per app, because nestjs-pino builds one per
 * process.
 */
export class RequestLogging {
  private appLogger?: Logger;
  private http?: HttpLogger;
  /** The id of the request being served, for `mixin`: set in the request hook, read by every line meanwhile. */
  private readonly current = new AsyncLocalStorage<string>();
  private context?: AppPinoLogger;
  private nest?: NestLogLines;

  /** pino's `mixin`: the current request's id, unless the line comes from one of its pino-http loggers (bound to it already). */
  readonly mixin = (_line: object, _level: number, writer: Logger): object => {
    if (requestIds.has(writer)) return {};
    const id = this.current.getStore();
    return id ? { reqId: id } : {};
  };

  /** Fastify's request hook (before Nest's middleware): the id, the request's logger, the answer header. */
  readonly onRequest = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    reply.header(REQUEST_ID_HEADER, request.id);
    // The request's own logger and its closing line only where that line is written (debug): pino-http
    // makes a child logger and watches the response for every request, which measured about a fifth
    // of intake's throughput (README › Performance, B1). Every other line gets the id from `current`.
    if (this.http && this.appLogger?.isLevelEnabled('debug')) {
      const req = request.raw as IncomingMessage & { id: string; log: Logger };
      const res = reply.raw as ServerResponse & { log: Logger };
      req.id = request.id;
      this.http(req, res);
      requestIds.set(req.log, req.id).set(res.log, req.id);
      // @fastify/middie hands Nest's middleware, nestjs-pino's among them, `request.log` as the request's logger.
      request.log = req.log;
    }
    this.current.run(request.id, done);
  };

  /** Starts with the app's logger (the one `createLogger` made, with `mixin`). */
  use(logger: Logger): void {
    this.appLogger = logger;
    this.http = pinoHttp<IncomingMessage, ServerResponse>({
      logger,
      quietReqLogger: true,
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'warn' : 'debug'),
    });
    this.context = new AppPinoLogger(this.params, logger);
    this.nest = new NestLogLines(this.context, this.params);
  }

  /** nestjs-pino's LoggerModule settings: its middleware binds the logger pino-http put on the request. */
  get params(): Params {
    return { useExisting: true, pinoHttp: { logger: this.appLogger } };
  }

  /** The logger Nest writes its own lines through. */
  get nestLogger(): NestPinoLogger {
    if (!this.nest) throw new Error('RequestLogging.use(logger) first');
    return this.nest;
  }
}
