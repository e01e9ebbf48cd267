import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { AppError } from './app-error';
import {
  BAD_REQUEST,
  DUPLICATE,
  httpStatusError,
  INTERNAL_ERROR,
  INVALID_INPUT,
  MALFORMED_BODY,
  MALFORMED_JSON,
  PAYLOAD_TOO_LARGE,
  ROUTE_NOT_FOUND,
  SERVICE_UNAVAILABLE,
} from './common.errors';
import { DEPENDENCY_RETRY_AFTER_SECONDS, isDependencyFailure } from './dependency-error';
import { ErrorBody } from './error-body';
import { loggablePath } from '../logging/logger';

/**
 * body-parser rejects a body before any route runs (over JSON_BODY_LIMIT: 413 `entity.too.large`; unsupported
 * charset or encoding: 415; corrupt gzip/deflate/br data: zlib's own error, made a 400) with an http-errors object
 * Nest does not map (only its SyntaxError, malformed JSON). `expose: true` is http-errors' mark of a client error.
 */
function bodyParserStatus(exception: unknown): number | null {
  const error = exception as { status?: unknown; expose?: unknown } | null;
  if (!(exception instanceof Error) || error?.expose !== true) return null;
  return typeof error.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : null;
}

/** zlib's errors carry a numeric errno and a code: `Z_DATA_ERROR`, `Z_BUF_ERROR`, brotli's `ERR__ERROR_FORMAT_…`. */
function isDecompressionError(exception: unknown): boolean {
  const error = exception as { code?: unknown; errno?: unknown };
  return typeof error.errno === 'number' && typeof error.code === 'string' && /^(Z_|ERR_)/.test(error.code);
}

/**
 * PostgreSQL data exceptions only a client's value can cause: 22P02 invalid text representation (e.g. a malformed
 * uuid), 22001 too long for the column, 22003 number out of range, 22007/22008 bad or out-of-range date, 22021
 * and 22P05 a NUL character in text or jsonb. Validation catches them first and names the field; this is the
 * backstop that keeps a missed case a 400.
 */
const CLIENT_DATA_ERRORS = new Set(['22P02', '22001', '22003', '22007', '22008', '22021', '22P05']);

/** A hopeless body (hundreds of unknown fields) gets a short answer: this many `errors[]` entries and a count. */
export const MAX_LISTED_ERRORS = 20;

/** Owns the error wire format: every error leaves as ErrorBody, and a 500 never carries a stack, SQL or path. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') return;
    const request = host.switchToHttp().getRequest<Request>();
    const response = host.switchToHttp().getResponse<Response>();
    const error = this.toAppError(exception, request);
    if (error.status === HttpStatus.SERVICE_UNAVAILABLE && !(exception instanceof AppError)) {
      const reason = exception instanceof Error ? exception.message : String(exception);
      this.logger.warn({ reason, path: loggablePath(request.path), request_id: request.id }, 'Dependency unavailable');
    } else if (error.status >= 500) {
      this.logger.error(
        { err: exception, path: loggablePath(request.path), request_id: request.id },
        'Unhandled error',
      );
    }
    const listed =
      error.errors && error.errors.length > MAX_LISTED_ERRORS ? error.errors.slice(0, MAX_LISTED_ERRORS) : error.errors;
    const body: ErrorBody = {
      status_code: error.status,
      code: error.code,
      detail:
        listed === error.errors
          ? error.detail
          : `${error.detail} (${error.errors!.length} errors, the first ${MAX_LISTED_ERRORS} listed)`,
      path: request.path,
      request_id: String(request.id ?? ''),
      ...(listed ? { errors: listed } : {}),
    };
    if (response.headersSent) {
      response.end();
      return;
    }
    for (const [name, value] of Object.entries(error.headers ?? {})) response.setHeader(name, value);
    response.status(error.status).json(body);
  }

  private toAppError(exception: unknown, request: Request): AppError {
    if (exception instanceof AppError) return exception;
    if (exception instanceof HttpException) return this.fromHttpException(exception, request);
    const bodyStatus = bodyParserStatus(exception);
    if (bodyStatus === 413) return PAYLOAD_TOO_LARGE('Request body too large');
    if (bodyStatus === 400 && isDecompressionError(exception)) return MALFORMED_BODY();
    if (bodyStatus) return httpStatusError(bodyStatus, 'Request body could not be read', BAD_REQUEST);
    // Before anything else that could turn it into a 500 (or, worse, a 401 that makes clients log out).
    if (isDependencyFailure(exception)) return SERVICE_UNAVAILABLE(DEPENDENCY_RETRY_AFTER_SECONDS);
    if (exception instanceof QueryFailedError) {
      const code = (exception.driverError as { code?: string } | undefined)?.code;
      if (code && CLIENT_DATA_ERRORS.has(code)) return INVALID_INPUT();
      if (code === '23505') return DUPLICATE();
    }
    return INTERNAL_ERROR();
  }

  private fromHttpException(exception: HttpException, request: Request): AppError {
    const status = exception.getStatus();
    const response = exception.getResponse();
    let detail = exception.message;
    if (typeof response === 'object' && response && 'message' in response) {
      const message = (response as { message: unknown }).message;
      detail = Array.isArray(message) ? message.join('; ') : String(message);
    }
    if (status >= 500) return INTERNAL_ERROR(status);
    if (status === 404 && detail.startsWith('Cannot ')) return ROUTE_NOT_FOUND(request.method, request.path);
    if (status === 413) return PAYLOAD_TOO_LARGE('Request body too large');
    if (status === 400 && exception.constructor.name === 'BadRequestException' && /JSON/i.test(detail)) {
      return MALFORMED_JSON();
    }
    // 401 carries WWW-Authenticate: Bearer, as every 401 does
    return httpStatusError(status, detail);
  }
}
