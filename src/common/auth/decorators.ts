import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import { RequestContext } from '../context/request-context';
import { Role } from './roles';

export const IS_PUBLIC_KEY = 'auth:isPublic';
export const ROLES_KEY = 'auth:roles';

/** Opts a route out of the global deny-by-default authentication guard. */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);

/** Restricts a route to the given roles (checked after authentication). */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_KEY, roles);

export function contextFromRequest(request: Request): RequestContext {
  if (!request.context) {
    request.context = {
      requestId: String(request.id ?? ''),
      ip: request.ip ?? null,
      userAgent: request.headers['user-agent']?.slice(0, 512) ?? null,
      user: null,
    };
  }
  return request.context;
}

/** The caller's RequestContext: `(@Ctx() ctx: AuthenticatedContext, …)` on protected routes. */
export const Ctx = createParamDecorator((_data: unknown, host: ExecutionContext) =>
  contextFromRequest(host.switchToHttp().getRequest<Request>()),
);
