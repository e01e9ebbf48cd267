import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
// The metadata key of @ApiConsumes; @nestjs/swagger does not re-export its constants from the package root.
import { DECORATORS } from '@nestjs/swagger/dist/constants';
import type { Request } from 'express';
import { UNSUPPORTED_MEDIA_TYPE } from '../errors/common.errors';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const JSON_TYPE = 'application/json';

/**
 * Whether the request declares a body. Content-Length 0, or none at all, is no body: logout and the action POSTs
 * send none. A chunked request without a Content-Type is let through too: some clients send even an empty
 * body chunked, and an untyped body is never parsed.
 */
function declaresBody(req: Request): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return length.trim() !== '0';
  return req.headers['transfer-encoding'] !== undefined && req.headers['content-type'] !== undefined;
}

/**
 * Only JSON is parsed, so a POST/PUT/PATCH body of any other type would silently be an empty request (a 200
 * no-op): it is a 415 instead. A route that reads another type itself says so with `@ApiConsumes(...)` — the
 * same declaration the OpenAPI document shows (media upload: multipart/form-data).
 */
@Injectable()
export class ContentTypeGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<Request>();
    if (!BODY_METHODS.has(req.method) || !declaresBody(req)) return true;
    const declared =
      this.reflector.getAllAndOverride<string[] | undefined>(DECORATORS.API_CONSUMES, [
        context.getHandler(),
        context.getClass(),
      ]) ?? [];
    const accepted = [JSON_TYPE, ...declared.filter((type) => type !== JSON_TYPE)];
    if (req.is(accepted)) return true;
    throw UNSUPPORTED_MEDIA_TYPE(`Request body must be ${accepted.join(' or ')}`);
  }
}
