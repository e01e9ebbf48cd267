import { HttpStatus } from '@nestjs/common';

export interface FieldError {
  field: string;
  message: string;
}

/** The one exception type modules throw: a stable machine code, a human message and an HTTP status. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
    readonly status: HttpStatus,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail);
    this.name = 'AppError';
  }

  static notFound(code: string, detail: string): AppError {
    return new AppError(code, detail, HttpStatus.NOT_FOUND);
  }

  static conflict(code: string, detail: string): AppError {
    return new AppError(code, detail, HttpStatus.CONFLICT);
  }

  static forbidden(code = 'FORBIDDEN', detail = 'You do not have permission to perform this action'): AppError {
    return new AppError(code, detail, HttpStatus.FORBIDDEN);
  }

  static badRequest(code: string, detail: string, errors?: FieldError[]): AppError {
    return new AppError(code, detail, HttpStatus.BAD_REQUEST, errors);
  }

  static unauthorized(code = 'UNAUTHORIZED', detail = 'Not authenticated'): AppError {
    return new AppError(code, detail, HttpStatus.UNAUTHORIZED, undefined, { 'WWW-Authenticate': 'Bearer' });
  }

  /** A dependency (database, Redis) is unavailable: the client should retry, not drop its session. */
  static serviceUnavailable(
    retryAfterSeconds: number,
    detail = 'Service temporarily unavailable, try again shortly',
  ): AppError {
    return new AppError('SERVICE_UNAVAILABLE', detail, HttpStatus.SERVICE_UNAVAILABLE, undefined, {
      'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))),
    });
  }

  static tooManyRequests(retryAfterSeconds: number): AppError {
    return new AppError(
      'RATE_LIMITED',
      `Too many requests. Try again in ${retryAfterSeconds} seconds.`,
      HttpStatus.TOO_MANY_REQUESTS,
      undefined,
      { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    );
  }
}
