import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnApplicationShutdown, Optional } from '@nestjs/common';
import { RateLimitRule } from '../../config/app-config';
import { FailureBucket, Hit, RateLimitStore } from './rate-limit.store';
import { RATE_LIMITED, SERVICE_UNAVAILABLE } from '../errors/common.errors';

export const RATE_LIMIT_STORE = Symbol('RATE_LIMIT_STORE');

export interface Consumed {
  key: string;
}

/** A slot held while a password is checked; settle it exactly once. */
export interface Attempt {
  /** The password was wrong: counts against every bucket. Returns each bucket's failures after this one. */
  fail(): Promise<Hit[]>;
  /** Anything else (success, or an error before the check could conclude): frees the slot, counts nothing. */
  release(): Promise<void>;
}

export interface RateLimiterTiming {
  /** How long an unsettled attempt keeps its slot (its instance may have died). */
  leaseMs: number;
  /** How long an attempt waits for slots held by attempts in flight before giving up with 503. */
  maxWaitMs: number;
}

const DEFAULT_TIMING: RateLimiterTiming = { leaseMs: 60_000, maxWaitMs: 10_000 };

/** Optional provider overriding DEFAULT_TIMING (tests). */
export const RATE_LIMIT_TIMING = Symbol('RATE_LIMIT_TIMING');

@Injectable()
export class RateLimiterService implements OnApplicationShutdown {
  private readonly timing: RateLimiterTiming;

  constructor(
    @Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore,
    @Optional() @Inject(RATE_LIMIT_TIMING) timing?: Partial<RateLimiterTiming>,
  ) {
    this.timing = { ...DEFAULT_TIMING, ...timing };
  }

  /**
   * Counts every request. Takes one unit from every bucket; if any is over its limit, the units are given back
   * and 429 is thrown with Retry-After set to the longest wait. Returns the keys so a caller can refund them later.
   */
  async consume(buckets: { key: string; rule: RateLimitRule }[]): Promise<Consumed[]> {
    const hits = await Promise.all(
      buckets.map(async ({ key, rule }) => ({ key, rule, hit: await this.store.hit(key, rule.windowSeconds * 1000) })),
    );
    const over = hits.filter(({ hit, rule }) => hit.count > rule.limit);
    if (over.length > 0) {
      await this.refund(hits);
      throw RATE_LIMITED(Math.max(...over.map(({ hit }) => hit.resetMs)) / 1000);
    }
    return hits.map(({ key }) => ({ key }));
  }

  async refund(consumed: Consumed[]): Promise<void> {
    await Promise.all(consumed.map(({ key }) => this.store.refund(key)));
  }

  /**
   * Counts failures only (login, password checks). Before a password is checked, reserves a slot in every
   * bucket: 429 when recorded failures already fill one; when the rest of a budget is held by attempts still in
   * flight, waits for them to settle (they may all succeed) instead of refusing. So concurrent wrong guesses get
   * at most `limit` checks, while successes — however many at once — and errors never trip the limit.
   */
  async reserve(buckets: { key: string; rule: RateLimitRule }[]): Promise<Attempt> {
    const specs: FailureBucket[] = buckets.map(({ key, rule }) => ({
      key,
      limit: rule.limit,
      windowMs: rule.windowSeconds * 1000,
    }));
    const id = randomUUID();
    const deadline = Date.now() + this.timing.maxWaitMs;
    let delay = 2;
    for (;;) {
      const outcome = await this.store.reserve(specs, id, this.timing.leaseMs);
      if (outcome.status === 'granted') break;
      if (outcome.status === 'denied') throw RATE_LIMITED(outcome.retryMs / 1000);
      if (Date.now() >= deadline) {
        throw SERVICE_UNAVAILABLE(1, 'Too many attempts in progress, try again shortly');
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 50);
    }
    let settled = false;
    const settle = (failed: boolean) => {
      if (settled) return Promise.resolve(specs.map(() => ({ count: 0, resetMs: 0 })));
      settled = true;
      return this.store.settle(specs, id, failed);
    };
    return {
      fail: () => settle(true),
      release: async () => {
        await settle(false);
      },
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
