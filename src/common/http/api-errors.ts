import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import type {
  HeaderObject,
  OpenAPIObject,
  OperationObject,
  ResponseObject,
  SchemaObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ErrorBody } from '../errors/error-body';

const DESCRIPTIONS: Record<number, string> = {
  400: 'Validation failed (unknown fields, malformed id or body)',
  401: 'Missing, invalid or expired access token',
  403: 'Authenticated but not allowed (role)',
  404: 'Not found, or belongs to another tenant',
  409: 'Conflict with the current state or a duplicate',
  410: 'Gone',
  413: 'Too large',
  415: 'Unsupported media type',
  416: 'Range not satisfiable',
  429: 'Rate-limited; see Retry-After',
  500: 'Unexpected server error (no stack, SQL or path is ever returned)',
  503: 'A dependency (PostgreSQL, Redis, storage) is unavailable; see Retry-After',
};

/** Documents the error responses of a route, all in the ErrorBody format. */
export const ApiErrors = (...statuses: number[]) =>
  applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorBody })),
  );

const ERROR_CONTENT = { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } };

/** Response headers the exception filter sets, by status. */
const ERROR_HEADERS: Record<string, Record<string, HeaderObject>> = {
  '401': {
    'WWW-Authenticate': {
      description: 'The auth scheme to use',
      required: true,
      schema: { type: 'string', example: 'Bearer' },
    },
  },
  '429': {
    'Retry-After': {
      description: 'Seconds until a retry can succeed',
      required: true,
      schema: { type: 'integer', minimum: 1 },
    },
  },
  '503': {
    'Retry-After': {
      description: 'Seconds after which a retry is worthwhile',
      required: false,
      schema: { type: 'integer', minimum: 1 },
    },
  },
  '416': {
    'Content-Range': {
      description: 'bytes */size: the size of the stored file',
      required: true,
      schema: { type: 'string', example: 'bytes */1048576' },
    },
  },
};

const BODY_METHODS = new Set(['post', 'put', 'patch']);
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * Makes the document tell the truth about the errors every route can answer, without a decorator on each handler:
 * every operation may fail with 500 or 503, and every one but /health with 429 (the API throttle); one that takes a body (JSON, or multipart for uploads) may get 413
 * (over the size limit) and 415 (a Content-Type it does not read); a protected one 401. Every error response gets
 * the ErrorBody schema unless the route declared its own (GET /health answers 503 with its report), and the
 * headers the exception filter sets: WWW-Authenticate on 401, Retry-After on 429 and 503, Content-Range on 416.
 */
export function documentErrorResponses(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method] as OperationObject | undefined;
      if (!operation) continue;
      // every route but /health pays into the API throttle (README, "API throttle")
      const statuses = path === '/health' ? [500, 503] : [429, 500, 503];
      if (operation.requestBody || BODY_METHODS.has(method)) statuses.push(413, 415);
      if (operation.security?.length) statuses.push(401);
      for (const status of statuses) {
        operation.responses[status] ??= { description: DESCRIPTIONS[status] };
      }
      for (const [status, response] of Object.entries(operation.responses)) {
        if (!response || Number(status) < 400 || '$ref' in response) continue;
        const described = response as ResponseObject;
        described.content ??= ERROR_CONTENT;
        const headers = ERROR_HEADERS[status];
        if (headers) described.headers = { ...headers, ...described.headers };
      }
    }
  }
  return document;
}

/**
 * Publishes the error catalogue: an `ErrorCode` schema whose enum is every code an error body may carry, referenced
 * by ErrorBody.code. The codes come from the caller (src/modules/error-codes.ts), as common code reads no feature.
 */
export function documentErrorCodes(document: OpenAPIObject, codes: readonly string[]): OpenAPIObject {
  const schemas = ((document.components ??= {}).schemas ??= {});
  schemas.ErrorCode = {
    type: 'string',
    description: 'The machine-readable error code; each is built in one place and never changes meaning.',
    enum: [...codes],
    example: 'USER_NOT_FOUND',
  };
  const body = schemas.ErrorBody as SchemaObject | undefined;
  if (body?.properties) body.properties.code = { $ref: '#/components/schemas/ErrorCode' };
  return document;
}
