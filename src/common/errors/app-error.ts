import { HttpStatus } from '@nestjs/common';

export interface FieldError {
  field: string;
  message: string;
}

/**
 * The one exception type modules throw: a stable machine code, a human message and an HTTP status. Code builds
 * one through its catalogue (`<feature>.errors.ts`, src/common/errors/common.errors.ts), never with a literal code.
 */
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

  static forbidden(code: string, detail: string): AppError {
    return new AppError(code, detail, HttpStatus.FORBIDDEN);
  }

  static badRequest(code: string, detail: string, errors?: FieldError[]): AppError {
    return new AppError(code, detail, HttpStatus.BAD_REQUEST, errors);
  }

  static unauthorized(code: string, detail: string): AppError {
    return new AppError(code, detail, HttpStatus.UNAUTHORIZED, undefined, { 'WWW-Authenticate': 'Bearer' });
  }
}
