import { CanActivate, ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AppConfig } from '../../config/app-config';
import { AppConfigService } from '../../config/app-config.service';
import { RateLimiterService } from './rate-limiter.service';

export type RateLimitName = keyof Omit<AppConfig['rateLimits'], 'loginPerAccount' | 'loginPerIp' | 'changePassword'>;
const RATE_LIMIT_KEY = 'rateLimit:name';

/** Per-IP limit on a route a stranger can hammer; the rule comes from configuration (RATE_LIMIT_<NAME>_*). */
export const RateLimit = (name: RateLimitName) => SetMetadata(RATE_LIMIT_KEY, name);

@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly limiter: RateLimiterService,
    private readonly config: AppConfigService,
  ) {}

  /** Synchronous for the (many) routes without a limit; only limited routes pay for a promise. */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const name = this.reflector.get<RateLimitName | undefined>(RATE_LIMIT_KEY, context.getHandler());
    if (!name) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const rule = this.config.rateLimits[name];
    return this.limiter.consume([{ key: `${name}:ip:${request.ip ?? 'unknown'}`, rule }]).then(() => true);
  }
}
