import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ROLES_KEY } from './decorators';
import { Role } from './roles';
import { INSUFFICIENT_ROLE } from '../errors/common.errors';

@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!roles?.length) return true;
    const role = context.switchToHttp().getRequest<Request>().context?.user?.role;
    if (role && roles.includes(role)) return true;
    throw INSUFFICIENT_ROLE();
  }
}
