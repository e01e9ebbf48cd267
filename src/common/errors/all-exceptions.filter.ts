import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { AppError } from './app-error';
import { DEPENDENCY_RETRY_AFTER_SECONDS, isDependencyFailure } from './dependency-error';
import { ErrorBody } from './error-body';

const STATUS_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  410: 'GONE',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * body-parser rejects a body before any route runs (over JSON_BODY_LIMIT: 413 `entity.too.large`; unsupported
 * charset or encoding: 415) with an http-errors object Nest does not map (only its SyntaxError, malformed JSON).
 */
function bodyParserStatus(exception: unknown): number | null {
  const error = exception as { type?: unknown; status?: unknown; expose?: unknown } | null;
  if (!(exception instanceof Error) || typeof error?.type !== 'string' || error.expose !== true) return null;
  return typeof error.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : null;
}

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
      this.logger.warn({ reason, path: request.path, request_id: request.id }, 'Dependency unavailable');
    } else if (error.status >= 500) {
      this.logger.error({ err: exception, path: request.path, request_id: request.id }, 'Unhandled error');
    }
    const body: ErrorBody = {
      status_code: error.status,
      code: error.code,
      detail: error.detail,
      path: request.path,
      request_id: String(request.id ?? ''),
      ...(error.errors ? { errors: error.errors } : {}),
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
    if (bodyStatus === 413) return new AppError('PAYLOAD_TOO_LARGE', 'Request body too large', bodyStatus);
    if (bodyStatus) return new AppError(STATUS_CODES[bodyStatus] ?? 'BAD_REQUEST', 'Request body could not be read', bodyStatus);
    // Before anything else that could turn it into a 500 (or, worse, a 401 that makes clients log out).
    if (isDependencyFailure(exception)) return AppError.serviceUnavailable(DEPENDENCY_RETRY_AFTER_SECONDS);
    if (exception instanceof QueryFailedError) {
      const code = (exception.driverError as { code?: string } | undefined)?.code;
      // 22P02: invalid text representation (e.g. a malformed uuid that slipped past validation)
      if (code === '22P02') return AppError.badRequest('INVALID_INPUT', 'Malformed identifier or value');
      if (code === '23505') return AppError.conflict('DUPLICATE', 'A record with these values already exists');
    }
    return new AppError('INTERNAL_ERROR', 'Internal server error', HttpStatus.INTERNAL_SERVER_ERROR);
  }

  private fromHttpException(exception: HttpException, request: Request): AppError {
    const status = exception.getStatus();
    const response = exception.getResponse();
    let detail = exception.message;
    if (typeof response === 'object' && response && 'message' in response) {
      const message = (response as { message: unknown }).message;
      detail = Array.isArray(message) ? message.join('; ') : String(message);
    }
    let code = STATUS_CODES[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'ERROR');
    if (status === 404 && detail.startsWith('Cannot ')) {
      code = 'ROUTE_NOT_FOUND';
      detail = `Route ${request.method} ${request.path} not found`;
    }
    if (status === 413) detail = 'Request body too large';
    if (status === 400 && exception.constructor.name === 'BadRequestException' && /JSON/i.test(detail)) {
      code = 'MALFORMED_JSON';
      detail = 'Request body is not valid JSON';
    }
    const headers = status === 401 ? { 'WWW-Authenticate': 'Bearer' } : undefined;
    if (status >= 500) return new AppError('INTERNAL_ERROR', 'Internal server error', status);
    return new AppError(code, detail, status, undefined, headers);
  }
}
