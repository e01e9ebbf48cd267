import { HttpStatus } from '@nestjs/common';
import { AppError, FieldError } from './app-error';

/**
 * The cross-cutting error codes: request validation and body limits, authentication, throttling, dependencies and
 * the generic code of each HTTP status. Every code the API answers with is built by exactly one function in one
 * `*.errors.ts` catalogue, named as its code; src/modules/error-codes.ts lists them all and
 * src/modules/error-catalogue.spec.ts checks that nothing else builds one.
 */

export const VALIDATION_ERROR = (errors: FieldError[], detail = 'Request validation failed') =>
  AppError.badRequest('VALIDATION_ERROR', detail, errors);

export const INVALID_ID = (name: string) =>
  AppError.badRequest('INVALID_ID', `${name} must be a UUID`, [{ field: name, message: `${name} must be a UUID` }]);

/** A PostgreSQL data exception only a client's value can cause, missed by validation (the filter's backstop). */
export const INVALID_INPUT = () => AppError.badRequest('INVALID_INPUT', 'Malformed identifier or value');

/** A unique violation missed by the services' own checks (the filter's backstop). */
export const DUPLICATE = () => AppError.conflict('DUPLICATE', 'A record with these values already exists');

export const MALFORMED_JSON = () => AppError.badRequest('MALFORMED_JSON', 'Request body is not valid JSON');

export const MALFORMED_BODY = () =>
  AppError.badRequest('MALFORMED_BODY', 'Request body could not be decompressed (corrupt Content-Encoding data)');

export const BODY_TOO_DEEP = (field: string, maxDepth: number) =>
  AppError.badRequest('BODY_TOO_DEEP', `Request body is nested deeper than ${maxDepth} levels`, [
    { field, message: `must not be nested deeper than ${maxDepth} levels` },
  ]);

export const BODY_TOO_WIDE = (field: string, maxKeys: number) =>
  AppError.badRequest('BODY_TOO_WIDE', `An object in the request body has more than ${maxKeys} keys`, [
    { field, message: `must not have more than ${maxKeys} keys` },
  ]);

export const BODY_TOO_COMPLEX = (maxNodes: number) =>
  AppError.badRequest('BODY_TOO_COMPLEX', `Request body has more than ${maxNodes} values`, [
    { field: 'body', message: `must not hold more than ${maxNodes} values (objects, arrays and scalars)` },
  ]);

export const PAYLOAD_TOO_LARGE = (detail = 'Request body too large', errors?: FieldError[]) =>
  new AppError('PAYLOAD_TOO_LARGE', detail, HttpStatus.PAYLOAD_TOO_LARGE, errors);

export const UNSUPPORTED_MEDIA_TYPE = (detail: string) =>
  new AppError('UNSUPPORTED_MEDIA_TYPE', detail, HttpStatus.UNSUPPORTED_MEDIA_TYPE);

export const ROUTE_NOT_FOUND = (method: string, path: string) =>
  AppError.notFound('ROUTE_NOT_FOUND', `Route ${method} ${path} not found`);

export const NOT_AUTHENTICATED = () => AppError.unauthorized('NOT_AUTHENTICATED', 'Not authenticated');

export const INVALID_TOKEN = () => AppError.unauthorized('INVALID_TOKEN', 'Could not validate credentials');

export const TOKEN_EXPIRED = () => AppError.unauthorized('TOKEN_EXPIRED', 'Token has expired');

export const INSUFFICIENT_ROLE = () => AppError.forbidden('INSUFFICIENT_ROLE', 'Not enough permissions');

export const FOREIGN_TENANT = () => AppError.forbidden('FOREIGN_TENANT', 'You may not act on another tenant');

const retryAfter = (seconds: number) => ({ 'Retry-After': String(Math.max(1, Math.ceil(seconds))) });

/** 429 with Retry-After; `null` when the throttle that refused did not say when (no header then). */
export const RATE_LIMITED = (
  retryAfterSeconds: number | null,
  detail = `Too many requests. Try again in ${retryAfterSeconds} seconds.`,
) =>
  new AppError(
    'RATE_LIMITED',
    detail,
    HttpStatus.TOO_MANY_REQUESTS,
    undefined,
    retryAfterSeconds === null ? undefined : retryAfter(retryAfterSeconds),
  );

/** A dependency (database, Redis) is unavailable: the client should retry, not drop its session. */
export const SERVICE_UNAVAILABLE = (
  retryAfterSeconds: number,
  detail = 'Service temporarily unavailable, try again shortly',
) =>
  new AppError('SERVICE_UNAVAILABLE', detail, HttpStatus.SERVICE_UNAVAILABLE, undefined, retryAfter(retryAfterSeconds));

/** Never carries what went wrong: no stack, SQL or path leaves the server. */
export const INTERNAL_ERROR = (status: number = HttpStatus.INTERNAL_SERVER_ERROR) =>
  new AppError('INTERNAL_ERROR', 'Internal server error', status);

// The generic code of an HTTP status, for an HttpException that Nest or a library raised (not an AppError).
export const BAD_REQUEST = (detail: string, status: number = HttpStatus.BAD_REQUEST) =>
  new AppError('BAD_REQUEST', detail, status);
export const UNAUTHORIZED = (detail: string) => AppError.unauthorized('UNAUTHORIZED', detail);
export const FORBIDDEN = (detail: string) => AppError.forbidden('FORBIDDEN', detail);
export const NOT_FOUND = (detail: string) => AppError.notFound('NOT_FOUND', detail);
export const METHOD_NOT_ALLOWED = (detail: string) =>
  new AppError('METHOD_NOT_ALLOWED', detail, HttpStatus.METHOD_NOT_ALLOWED);
export const CONFLICT = (detail: string) => AppError.conflict('CONFLICT', detail);
export const GONE = (detail: string) => new AppError('GONE', detail, HttpStatus.GONE);
/** A client error status with no code of its own. */
export const ERROR = (detail: string, status: number) => new AppError('ERROR', detail, status);

const BY_STATUS: Record<number, (detail: string) => AppError> = {
  [HttpStatus.BAD_REQUEST]: (detail) => BAD_REQUEST(detail),
  [HttpStatus.UNAUTHORIZED]: UNAUTHORIZED,
  [HttpStatus.FORBIDDEN]: FORBIDDEN,
  [HttpStatus.NOT_FOUND]: NOT_FOUND,
  [HttpStatus.METHOD_NOT_ALLOWED]: METHOD_NOT_ALLOWED,
  [HttpStatus.CONFLICT]: CONFLICT,
  [HttpStatus.GONE]: GONE,
  [HttpStatus.PAYLOAD_TOO_LARGE]: (detail) => PAYLOAD_TOO_LARGE(detail),
  [HttpStatus.UNSUPPORTED_MEDIA_TYPE]: UNSUPPORTED_MEDIA_TYPE,
  [HttpStatus.TOO_MANY_REQUESTS]: (detail) => RATE_LIMITED(null, detail),
};

/** The error of a client-error status by its generic code; `otherwise` for a status without one. */
export function httpStatusError(
  status: number,
  detail: string,
  otherwise: (detail: string, status: number) => AppError = ERROR,
): AppError {
  const build = BY_STATUS[status];
  return build ? build(detail) : otherwise(detail, status);
}
