import { Logger } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type Redis from 'ioredis';
import { FixedWindowThrottlerStorage } from './fixed-window.storage';

type Increment = ThrottlerStorage['increment'];

/**
 * The API throttle's counters in Redis (the maintained @nest-lab/throttler-storage-redis), shared by every
 * instance — and, while Redis is unreachable, in this instance's memory instead. The general throttle degrades to
 * per-instance budgets rather than failing every request with 503 or letting every request through; the
 * security-critical limits (login, register, refresh, change-password) do not degrade: they answer 503 then.
 */
export class RedisOrMemoryThrottlerStorage implements ThrottlerStorage {
  private readonly logger = new Logger('Throttle');
  private readonly shared: ThrottlerStorageRedisService;
  private readonly local = new FixedWindowThrottlerStorage();
  private degraded = false;

  constructor(private readonly redis: Redis) {
    this.shared = new ThrottlerStorageRedisService(redis);
  }

  async increment(...args: Parameters<Increment>): ReturnType<Increment> {
    if (this.redis.status === 'ready') {
      try {
        const record = await this.shared.increment(...args);
        if (this.degraded) this.logger.log('Redis is back: throttle budgets are shared again');
        this.degraded = false;
        return record;
      } catch (error) {
        this.warn(error);
      }
    } else {
      this.warn(new Error(`Redis connection ${this.redis.status}`));
    }
    return this.local.increment(...args);
  }

  private warn(error: unknown): void {
    if (this.degraded) return;
    this.degraded = true;
    this.logger.warn({ err: error }, 'Redis unavailable: throttle budgets are per instance until it is back');
  }
}
