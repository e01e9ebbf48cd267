import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { map, Observable } from 'rxjs';
import { renderRole } from '../../common/auth/roles';

/** The route family of the original Pre-Interview Test API, whose frontend knows candidates as `applicant`. */
const PRE_INTERVIEW_AUTH_PREFIX = '/api/auth/';

type WithRole = { role?: unknown; user?: { role?: unknown } };

/**
 * The auth routes are served twice (README, "API conventions and differences from the originals"): at `/auth/*` a
 * candidate is `candidate`; at `/api/auth/*` it is rendered `applicant`, because that frontend's router sends every
 * user whose role is not `applicant` away from the candidate pages. Applies to a returned user (`me`, `register`)
 * and to the `user` of the login shape (`login`, `refresh`).
 */
@Injectable()
export class RoleDialectInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    if (!request.path.startsWith(PRE_INTERVIEW_AUTH_PREFIX)) return next.handle();
    return next.handle().pipe(map((body: unknown) => renderForPreInterview(body)));
  }
}

function renderForPreInterview(body: unknown): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const value = body as WithRole;
  if (typeof value.role === 'string') return { ...value, role: renderRole(value.role, 'pre-interview') };
  if (value.user && typeof value.user.role === 'string') {
    return { ...value, user: { ...value.user, role: renderRole(value.user.role, 'pre-interview') } };
  }
  return body;
}
