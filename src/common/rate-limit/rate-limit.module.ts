import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { REDIS_CLIENT } from '../redis/redis.module';
import type Redis from 'ioredis';
import { MemoryRateLimitStore, RedisRateLimitStore } from './rate-limit.store';
import { RateLimitGuard } from './rate-limit.guard';
import { RATE_LIMIT_STORE, RateLimiterService } from './rate-limiter.service';

/** In-memory counters by default; Redis counters (shared by every instance) when REDIS_URL is set. */
@Global()
@Module({
  providers: [
    {
      provide: RATE_LIMIT_STORE,
      inject: [REDIS_CLIENT],
      useFactory: (redis: Redis | null) => (redis ? new RedisRateLimitStore(redis) : new MemoryRateLimitStore()),
    },
    RateLimiterService,
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
  exports: [RateLimiterService],
})
export class RateLimitModule {}
