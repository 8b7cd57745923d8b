import pino, { type DestinationStream, type Logger, type LoggerOptions as PinoOptions } from 'pino';

/** Application logs are JSON (pino); these paths never reach a log line in clear. */
export const REDACTED_LOG_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.secret',
];

export interface LoggerOptions {
  name?: string;
  /** Fields added to every line (the server's request id: apps/server/src/common/request-logging.ts). */
  mixin?: PinoOptions['mixin'];
  /** Where lines go; stdout unless given (the e2e suites read a server's lines back). */
  destination?: DestinationStream;
}

export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const { name = 'leadrelay', mixin, destination } = options;
  const settings = { name, level, mixin, redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' } };
  return destination ? pino(settings, destination) : pino(settings);
}

export type { DestinationStream, Logger };
