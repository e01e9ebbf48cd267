import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { renderRole, RoleDialect } from '../../common/auth/roles';
import type { UserResponse } from '../users';

/** The route family of the original Pre-Interview Test API, whose frontend knows candidates as `applicant`. */
const PRE_INTERVIEW_AUTH_PREFIX = '/api/auth/';

/**
 * The dialect of the route family the request came in on. The auth routes are served twice (README, "API
 * conventions and differences from the originals"): at `/auth/*` a candidate is `candidate`; at `/api/auth/*` it
 * is rendered `applicant`, because that frontend's router sends every user whose role is not `applicant` away from
 * the candidate pages. (A parameter, not an interceptor: an interceptor would put /auth/me through Nest's
 * interceptor chain, a measurable cost on the hottest authenticated route — bench b.)
 */
export const Dialect = createParamDecorator((_data: unknown, context: ExecutionContext): RoleDialect =>
  context.switchToHttp().getRequest<Request>().path.startsWith(PRE_INTERVIEW_AUTH_PREFIX)
    ? 'pre-interview'
    : 'trajectorie',
);

/** A user as the dialect shows it: only its `role` may differ (renderRole decides). */
export function userInDialect<T extends Pick<UserResponse, 'role'>>(user: T, dialect: RoleDialect): T {
  const role = renderRole(user.role, dialect);
  return role === user.role ? user : { ...user, role: role as T['role'] };
}

/** The login shape (login, refresh) as the dialect shows it. */
export function loginInDialect<T extends { user: Pick<UserResponse, 'role'> }>(login: T, dialect: RoleDialect): T {
  const user = userInDialect(login.user, dialect);
  return user === login.user ? login : { ...login, user };
}
