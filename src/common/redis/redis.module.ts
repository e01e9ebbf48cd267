import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfigService } from '../../config/app-config.service';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/** A Redis command (queued while disconnected, or sent) fails after this; the request then gets 503. */
const COMMAND_TIMEOUT_MS = 2000;

/**
 * One shared Redis connection when REDIS_URL is set; `null` otherwise (single-node, in-memory mode). The app boots
 * even when Redis is unreachable (it keeps reconnecting): meanwhile `/health` reports it disconnected (503) and the
 * rate-limited routes (login, register, refresh, change-password) answer 503 with Retry-After — a command fails
 * within COMMAND_TIMEOUT_MS instead of waiting for a connection forever.
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService): Redis | null => {
        const url = config.values.redisUrl;
        if (!url) return null;
        const client = new Redis(url, {
          maxRetriesPerRequest: 2,
          enableOfflineQueue: true,
          lazyConnect: false,
          commandTimeout: COMMAND_TIMEOUT_MS,
          retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
        });
        const logger = new Logger('Redis');
        client.on('error', (error) => logger.warn(`Redis error: ${error.message}`));
        return client;
      },
    },
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis | null) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
