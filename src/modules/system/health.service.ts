import { Inject, Injectable, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { REDIS_CLIENT } from '../../common/redis/redis.module';
import { APP_VERSION } from '../../version';
import type { HealthResponse, RootResponse } from './system.controller';

const PROBE_TIMEOUT_MS = 2000;

/** What the probe reads of the driver's pg Pool. */
type SharedPool = Pick<Pool, 'query' | 'waitingCount' | 'idleCount'>;

/** Rejects after PROBE_TIMEOUT_MS (a hung database must not hang /health); the timer is cleared when work settles. */
function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * When the application's pool has no idle connection, the database probe runs on a connection of its own (a pool of
 * one): /health asks whether the database answers, and a pool whose every connection is busy with requests (a login
 * storm, a burst of lists) is no outage. Queued on the shared pool, the probe waited behind that work and, past
 * PROBE_TIMEOUT_MS, reported a live database as disconnected (503). A stopped database still fails the probe: the
 * connection breaks, and reconnecting fails or times out.
 *
 * The probe never opens a connection while the app is busy if it can help it: opening one authenticates with
 * SCRAM-SHA-256, whose PBKDF2 runs on libuv's thread pool, queued behind every bcrypt hash of a login storm (2 s and
 * more with 16 logins in flight on 2 cores: the probe answered 503). So the shared pool is used only when it has an
 * idle connection (not merely room for one), and the probe's own connection is opened at start-up and kept open.
 */
@Injectable()
export class HealthService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly probe: Pool;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS_CLIENT) private readonly redis: Redis | null,
  ) {
    const options = dataSource.options as PostgresConnectionOptions;
    this.probe = new Pool({
      connectionString: options.url, // the app's own (dataSourceOptions): TLS settings travel in it
      max: 1,
      connectionTimeoutMillis: PROBE_TIMEOUT_MS,
      query_timeout: PROBE_TIMEOUT_MS,
      keepAlive: true,
      idleTimeoutMillis: 0, // kept open: reopening it would queue its SCRAM behind the thread pool's bcrypt work
      allowExitOnIdle: true,
    });
    // An idle probe connection the server dropped (a restart, a stop): the next probe opens a new one.
    this.probe.on('error', () => undefined);
  }

  /** Opens the probe's connection now, while nothing competes for the thread pool; a failure is the probe's to report. */
  async onApplicationBootstrap(): Promise<void> {
    await this.probe.query('SELECT 1').catch(() => undefined);
  }

  async onModuleDestroy(): Promise<void> {
    await this.probe.end();
  }

  root(): RootResponse {
    return { message: 'Trajectorie API', version: APP_VERSION, docs: '/docs', health: '/health' };
  }

  /**
   * A simple-protocol `SELECT 1`, without TypeORM's query-runner bookkeeping: on the app's pool while it has an idle
   * connection and nobody queued, else on the probe's own connection, so a busy pool never delays the answer.
   */
  private ping(): Promise<unknown> {
    const shared = (this.dataSource.driver as PostgresDriver).master as SharedPool;
    const free = shared.waitingCount === 0 && shared.idleCount > 0;
    return (free ? shared : this.probe).query('SELECT 1');
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
