import { ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { SkipThrottle, ThrottlerGuard, ThrottlerLimitDetail, ThrottlerOptions } from '@nestjs/throttler';
import type { Request } from 'express';
import { RateLimitRule } from '../../config/app-config';
import { RATE_LIMITED } from '../errors/common.errors';

/** The tiers every route pays into (per caller), and the stricter ones a route opts into with @ThrottleTier. */
export const GLOBAL_TIERS = ['burst', 'sustained'] as const;
export const ROUTE_TIERS = ['upload'] as const;
export type RouteTier = (typeof ROUTE_TIERS)[number];

const ROUTE_TIER_KEY = 'throttle:tier';

/** Also counts this route against a stricter named tier (e.g. uploads), on top of the global ones. */
export const ThrottleTier = (tier: RouteTier) => SetMetadata(ROUTE_TIER_KEY, tier);

/** Exempts a route from every tier (a bare @SkipThrottle() would skip only a tier named 'default'). */
export const NoThrottle = () =>
  SkipThrottle(Object.fromEntries([...GLOBAL_TIERS, ...ROUTE_TIERS].map((tier) => [tier, true])));

function routeTierOf(context: ExecutionContext): RouteTier | undefined {
  return Reflect.getMetadata(ROUTE_TIER_KEY, context.getHandler()) as RouteTier | undefined;
}

/**
 * Who pays: the authenticated user (every token of one user shares a budget, whatever its IP), else the client IP
 * (Express's `req.ip`, which honours TRUST_PROXY). The guard runs after authentication, so a request with a
 * forged or expired token is refused (401) before it is counted and cannot spend a real user's budget.
 */
export function throttleTracker(req: Request): string {
  const user = req.user as { id?: string } | undefined;
  return user?.id ? `user:${user.id}` : `ip:${req.ip ?? 'unknown'}`;
}

export function throttlerOptions(
  tiers: Record<(typeof GLOBAL_TIERS)[number] | RouteTier, RateLimitRule>,
): ThrottlerOptions[] {
  const tier = (name: keyof typeof tiers): ThrottlerOptions => ({
    name,
    limit: tiers[name].limit,
    ttl: tiers[name].windowSeconds * 1000,
  });
  return [
    ...GLOBAL_TIERS.map(tier),
    ...ROUTE_TIERS.map((name) => ({
      ...tier(name),
      skipIf: (context: ExecutionContext) => routeTierOf(context) !== name,
    })),
  ];
}

/**
 * `@nestjs/throttler`'s guard with this API's conventions: one budget per caller across all routes (the
 * default key is per route), no X-RateLimit-* headers on every response, and a refusal in the one error format
 * — 429 `RATE_LIMITED` with `Retry-After` in seconds.
 */
@Injectable()
export class ApiThrottlerGuard extends ThrottlerGuard {
  override canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return Promise.resolve(true);
    return super.canActivate(context);
  }

  protected override getTracker(req: Record<string, unknown>): Promise<string> {
    return Promise.resolve(throttleTracker(req as unknown as Request));
  }

  /** The storage appends the tier's name to this key. */
  protected override generateKey(_context: ExecutionContext, tracker: string): string {
    return `trajectorie:throttle:${tracker}`;
  }

  protected override throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw RATE_LIMITED(detail.timeToBlockExpire);
  }
}
