import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
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
  429: 'Rate-limited; see Retry-After',
};

/** Documents the error responses of a route, all in the ErrorBody format. */
export const ApiErrors = (...statuses: number[]) =>
  applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], type: ErrorBody })),
  );
