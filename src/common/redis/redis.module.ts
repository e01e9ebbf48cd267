import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfigService } from '../../config/app-config.service';

export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/** A Redis command that was sent fails after this; the request then gets 503. */
const COMMAND_TIMEOUT_MS = 2000;
/** At boot, how long to wait for Redis before starting without it. */
const BOOT_WAIT_MS = 3000;

/** Resolves once the client is ready, has failed once, or BOOT_WAIT_MS passed — whichever comes first. */
function firstOutcome(client: Redis): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      client.off('error', done);
      resolve();
    };
    const timer = setTimeout(done, BOOT_WAIT_MS);
    client.once('ready', done);
    client.once('error', done);
  });
}

/**
 * One shared Redis connection when REDIS_URL is set; `null` otherwise (single-node, in-memory mode). The app boots
 * even when Redis is unreachable (it may come up later; the client keeps reconnecting): meanwhile `/health` reports
 * it disconnected (503) and the rate-limited routes (login, register, refresh, change-password) answer 503 with
 * Retry-After — the rate-limit store refuses to queue commands while the connection is not ready, so none is
 * applied late, after the client has been answered.
 */
@Global()
@Module({
  providers: [
    {
      provide: REDIS_CLIENT,
      inject: [AppConfigService],
      useFactory: async (config: AppConfigService): Promise<Redis | null> => {
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
        await firstOutcome(client);
        if (client.status !== 'ready') logger.warn(`Redis is not reachable (${client.status}); starting without it`);
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
