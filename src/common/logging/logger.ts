import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';
import { LogLevel } from '../../config/app-config';

/** Paths whose values never reach a log line. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.new_password',
  '*.current_password',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.invite_token',
  '*.secret',
  '*.authorization',
];

/**
 * URL path segments that are credentials: the invitation token of the candidate page (`/take/{token}`) and of the
 * token routes (`/api/take-test/{token}`, `/api/start-test/{token}`, `/api/submit-test/{token}`,
 * `/api/invites/token/{token}`). The segment after each prefix is replaced.
 */
const TOKEN_PATH = /^((?:\/api)?\/(?:take|take-test|start-test|submit-test|invites\/token)\/)[^/?#]+/;

/** The path of a request URL as it may be logged: no query string (it may carry tokens), token segments redacted. */
export function loggablePath(url: string): string {
  return url.split('?')[0].replace(TOKEN_PATH, '$1[REDACTED]');
}

export function createPinoLogger(level: LogLevel): Logger {
  return pino({
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    formatters: { level: (label) => ({ level: label }) },
  });
}

/** Routes Nest's own logging (and every `new Logger(ctx)`) into the JSON logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly pinoLogger: Logger) {}

  private write(level: 'info' | 'warn' | 'error' | 'debug' | 'trace' | 'fatal', message: unknown, params: unknown[]) {
    const context = typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    if (message && typeof message === 'object' && !(message instanceof Error)) {
      const text = typeof params[0] === 'string' ? (params.shift() as string) : undefined;
      this.pinoLogger[level]({ context, ...(message as object) }, text);
      return;
    }
    if (message instanceof Error) {
      this.pinoLogger[level]({ context, err: message }, message.message);
      return;
    }
    const stack = level === 'error' && typeof params[0] === 'string' ? params[0] : undefined;
    this.pinoLogger[level]({ context, ...(stack ? { stack } : {}) }, String(message));
  }

  log(message: unknown, ...params: unknown[]) {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]) {
    this.write('fatal', message, params);
  }
}
