import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type Redis from 'ioredis';
import { AppConfigService } from '../../config/app-config.service';
import { REDIS_CLIENT } from '../redis/redis.module';
import { ApiThrottlerGuard, throttlerOptions } from './api-throttle';
import { FixedWindowThrottlerStorage } from './fixed-window.storage';
import { RedisOrMemoryThrottlerStorage } from './redis-or-memory.storage';

/**
 * The global API throttle (README, "Rate limits"): every route but /health, per user (per IP when anonymous), in
 * named tiers from configuration. Counters are in memory (FixedWindowThrottlerStorage), or in Redis through the
 * maintained @nest-lab/throttler-storage-redis when REDIS_URL is set, so that the budget holds across instances
 * (per instance while Redis is unreachable: RedisOrMemoryThrottlerStorage). Import it after AuthModule: its guard must run after authentication has set the user.
 */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [AppConfigService, REDIS_CLIENT],
      useFactory: (config: AppConfigService, redis: Redis | null) => ({
        throttlers: throttlerOptions(config.values.throttle),
        setHeaders: false,
        storage: redis ? new RedisOrMemoryThrottlerStorage(redis) : new FixedWindowThrottlerStorage(),
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: ApiThrottlerGuard }],
})
export class ThrottleModule {}
