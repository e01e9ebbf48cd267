import { ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { AuthenticatedUser } from '../context/request-context';
import { contextFromRequest, IS_PUBLIC_KEY } from './decorators';
import { INVALID_TOKEN, NOT_AUTHENTICATED, TOKEN_EXPIRED } from '../errors/common.errors';

/** Global and deny-by-default: every route needs a valid access token unless marked @Public(). */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext) {
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    return super.canActivate(context);
  }

  override handleRequest<TUser = AuthenticatedUser>(
    err: unknown,
    user: TUser | false,
    info: unknown,
    context: ExecutionContext,
  ): TUser {
    // An error (as opposed to a refused token, which passport reports through `info`) comes from validate():
    // an AppError about the session, or the database failing. The latter must reach the exception filter as it is
    // (503), never become a 401 that makes clients throw their sessions away.
    if (err) throw err;
    if (!user) {
      const name = (info as { name?: string } | undefined)?.name;
      const message = (info as { message?: string } | undefined)?.message ?? '';
      if (name === 'TokenExpiredError') throw TOKEN_EXPIRED();
      if (/No auth token/i.test(message)) throw NOT_AUTHENTICATED();
      throw INVALID_TOKEN();
    }
    const request = context.switchToHttp().getRequest<Request>();
    contextFromRequest(request).user = user as unknown as AuthenticatedUser;
    return user;
  }
}
