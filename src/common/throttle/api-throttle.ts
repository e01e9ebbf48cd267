import { ExecutionContext, Injectable, SetMetadata } from '@nestjs/common';
import { SkipThrottle, ThrottlerGuard, ThrottlerLimitDetail, ThrottlerOptions } from '@nestjs/throttler';
// The metadata keys @Throttle/@SkipThrottle write; the package root does not export them.
import {
  THROTTLER_BLOCK_DURATION,
  THROTTLER_LIMIT,
  THROTTLER_SKIP,
  THROTTLER_TTL,
} from '@nestjs/throttler/dist/throttler.constants';
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

/** What the guard does for one handler: the tiers that count it, with their limits (resolved once). */
interface TierPlan {
  throttler: ThrottlerOptions & { name: string };
  limit: number;
  ttl: number;
  blockDuration: number;
}

const metadata = <T>(key: string, context: ExecutionContext): T | undefined =>
  (Reflect.getMetadata(key, context.getHandler()) as T | undefined) ??
  (Reflect.getMetadata(key, context.getClass()) as T | undefined);

/**
 * `@nestjs/throttler`'s guard with this API's conventions: one budget per caller across all routes (the
 * default key is per route), no X-RateLimit-* headers on every response, and a refusal in the one error format
 * — 429 `RATE_LIMITED` with `Retry-After` in seconds.
 *
 * Which tiers count a handler, and their limits, depend only on the handler's metadata (@NoThrottle,
 * @ThrottleTier, @Throttle) and the configuration, so they are resolved on the handler's first request and kept:
 * the library's guard re-reads six metadata keys per tier on every request, which cost /health and /auth/me a
 * measurable share of their budget (bench a and b). Counting itself is the library's handleRequest and storage.
 */
@Injectable()
export class ApiThrottlerGuard extends ThrottlerGuard {
  private readonly plans = new WeakMap<object, TierPlan[]>();
  private readonly tracker = (req: Record<string, unknown>) => this.getTracker(req);
  private readonly key = (context: ExecutionContext, tracker: string) => this.generateKey(context, tracker);

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const handler = context.getHandler();
    let plan = this.plans.get(handler);
    if (!plan) {
      plan = this.planFor(context);
      this.plans.set(handler, plan);
    }
    for (const tier of plan) {
      await this.handleRequest({
        context,
        ...tier,
        getTracker: this.tracker,
        generateKey: this.key,
      });
    }
    return true;
  }

  private planFor(context: ExecutionContext): TierPlan[] {
    return this.throttlers.flatMap((throttler) => {
      const name = throttler.name ?? 'default';
      if (metadata<boolean>(THROTTLER_SKIP + name, context) || throttler.skipIf?.(context)) return [];
      const limit = metadata<number>(THROTTLER_LIMIT + name, context) ?? (throttler.limit as number);
      const ttl = metadata<number>(THROTTLER_TTL + name, context) ?? (throttler.ttl as number);
      const blockDuration =
        metadata<number>(THROTTLER_BLOCK_DURATION + name, context) ?? (throttler.blockDuration as number) ?? ttl;
      return [{ throttler: { ...throttler, name }, limit, ttl, blockDuration }];
    });
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
