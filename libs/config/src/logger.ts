import pino, { type Logger } from 'pino';

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

export function createLogger(level: string, name = 'leadrelay'): Logger {
  return pino({ name, level, redact: { paths: REDACTED_LOG_PATHS, censor: '[redacted]' } });
}

export type { Logger };
