import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { RateLimitRule } from '../../config/app-config';
import { AppError } from '../errors/app-error';
import { RateLimitStore } from './rate-limit.store';

export const RATE_LIMIT_STORE = Symbol('RATE_LIMIT_STORE');

export interface Consumed {
  key: string;
}

@Injectable()
export class RateLimiterService implements OnApplicationShutdown {
  constructor(@Inject(RATE_LIMIT_STORE) private readonly store: RateLimitStore) {}

  /**
   * Takes one unit from every bucket; if any is over its limit, the units are given back and 429 is thrown
   * with Retry-After set to the longest wait. Returns the keys so a caller can refund them later.
   */
  async consume(buckets: { key: string; rule: RateLimitRule }[]): Promise<Consumed[]> {
    const hits = await Promise.all(
      buckets.map(async ({ key, rule }) => ({ key, rule, hit: await this.store.hit(key, rule.windowSeconds * 1000) })),
    );
    const over = hits.filter(({ hit, rule }) => hit.count > rule.limit);
    if (over.length > 0) {
      await this.refund(hits);
      throw AppError.tooManyRequests(Math.max(...over.map(({ hit }) => hit.resetMs)) / 1000);
    }
    return hits.map(({ key }) => ({ key }));
  }

  async refund(consumed: Consumed[]): Promise<void> {
    await Promise.all(consumed.map(({ key }) => this.store.refund(key)));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}
