import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import { REDIS_CLIENT } from '../../common/redis/redis.module';
import { APP_VERSION } from '../../version';
import type { HealthResponse, RootResponse } from './system.controller';

const PROBE_TIMEOUT_MS = 2000;

/** Rejects after PROBE_TIMEOUT_MS (a hung database must not hang /health); the timer is cleared when work settles. */
function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

@Injectable()
export class HealthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS_CLIENT) private readonly redis: Redis | null,
  ) {}

  root(): RootResponse {
    return { message: 'Trajectorie API', version: APP_VERSION, docs: '/docs', health: '/health' };
  }

  /** Straight on the driver's pool: a simple-protocol `SELECT 1`, without TypeORM's query-runner bookkeeping. */
  private ping(): Promise<unknown> {
    const pool = (this.dataSource.driver as PostgresDriver).master as { query(sql: string): Promise<unknown> };
    return pool.query('SELECT 1');
  }

  async check(): Promise<HealthResponse> {
    const [database, redis] = await Promise.all([
      withTimeout(this.ping()).then(
        () => 'connected' as const,
        () => 'disconnected' as const,
      ),
      this.redis
        ? withTimeout(this.redis.ping()).then(
            () => 'connected' as const,
            () => 'disconnected' as const,
          )
        : Promise.resolve(undefined),
    ]);
    const healthy = database === 'connected' && redis !== 'disconnected';
    return {
      status: healthy ? 'healthy' : 'unhealthy',
      database,
      database_type: 'postgresql',
      ...(redis ? { redis } : {}),
    };
  }
}
