import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import PgBoss from 'pg-boss';
import { DataSource } from 'typeorm';
import type { PostgresConnectionOptions } from 'typeorm/driver/postgres/PostgresConnectionOptions';
import { AppConfigService } from '../../config/app-config.service';
import type { RequestContext } from '../context/request-context';
import { errorCode, safeErrorMessage } from './safe-error-message';

export interface SendJobOptions {
  /** Do not run before this time. */
  startAfter?: Date;
  /** At most one queued job with this key per queue. */
  singletonKey?: string;
}

/** What a handler learns about the job it runs, beside its data. */
export interface JobInfo {
  id: string;
  name: string;
  /** 0 on the first run, 1 on the first retry… */
  retryCount: number;
  retryLimit: number;
  /** A failure now is final: pg-boss will not retry this job again. */
  isLastAttempt: boolean;
}

export type JobHandler<T> = (data: T, job: JobInfo) => Promise<void>;

/** Per-queue settings, fixed by the code that works the queue. */
export interface WorkOptions {
  /** Retries after a failed run (default 5). */
  retryLimit?: number;
  /** Delay before the first retry; with backoff each retry waits about twice as long, with jitter (default 30). */
  retryDelaySeconds?: number;
  retryBackoff?: boolean;
  /** A run that takes longer counts as failed (default 300). */
  expireInSeconds?: number;
  /** Jobs of this queue run at the same time on one instance (default 1). */
  concurrency?: number;
}

const DEFAULT_WORK_OPTIONS: Required<WorkOptions> = {
  retryLimit: 5,
  retryDelaySeconds: 30,
  retryBackoff: true,
  expireInSeconds: 300,
  concurrency: 1,
};

const SCHEMA = 'pgboss';

/**
 * pg-boss creates a queue as a partition of its job table (`create_queue`) without a lock of its own, and two such
 * creations at once — two instances booting together, or a send racing a worker's registration — deadlock. Every
 * start and queue creation here runs under this session advisory lock instead (the key is arbitrary but fixed).
 */
const QUEUE_DDL_LOCK = 7_356_104_221;

/**
 * pg-boss does not await its calls that mark a job completed or failed (src/manager.js `watch`): if PostgreSQL is
 * unreachable at that moment, the rejection is unhandled and would end the process. These are those two
 * statements; their failures are logged and swallowed instead — the job stays `active`, expires (`expireIn`) and
 * is retried by pg-boss's maintenance once the database is back.
 */
export const UNAWAITED_BY_PG_BOSS = /^\s*WITH\s+(results\s+AS\s*\(\s*UPDATE|deleted_jobs\s+AS\s*\(\s*DELETE)\s/i;

interface Registration {
  handler: JobHandler<object>;
  options: Required<WorkOptions>;
  cron?: string;
}

/**
 * Background work on a PostgreSQL-backed job queue (pg-boss, schema `pgboss`, created by pg-boss itself on first
 * start), safe with several instances: a job is fetched by one worker (`FOR UPDATE SKIP LOCKED`), failures are
 * retried with exponential backoff, a cron schedule fires once per tick across all instances. pg-boss runs on its
 * own small pool on the app's database, starts once the app has booted (after migrations) and stops before the
 * app's pool closes. With `JOBS_ENABLED=false` this instance runs no workers; `send` still inserts the job (for
 * instances that do) when pg-boss is installed, and drops it otherwise.
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly registrations = new Map<string, Registration>();
  private readonly knownQueues = new Set<string>();
  /** Queues whose workers run on the current PgBoss. */
  private readonly working = new Set<string>();
  private boss: PgBoss | null = null;
  /** With jobs disabled: a PgBoss never started, used only for its job-insert statement. */
  private inserter: PgBoss | null = null;
  private pool: Pool | null = null;
  private started: Promise<void> | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private stopping = false;

  constructor(
    private readonly config: AppConfigService,
    private readonly dataSource: DataSource,
  ) {}

  get enabled(): boolean {
    return this.config.values.jobs.enabled;
  }

  /** Registers the handler of queue `name` (call in onModuleInit; workers start after the app is up). */
  work<T extends object>(name: string, handler: JobHandler<T>, options: WorkOptions = {}): void {
    this.register(name, { handler: handler as JobHandler<object>, options: { ...DEFAULT_WORK_OPTIONS, ...options } });
  }

  /** A recurring job: `handler` runs on one instance per tick of `cron` (UTC, minute granularity). */
  schedule(name: string, cron: string, handler: () => Promise<void>, options: WorkOptions = {}): void {
    // A tick that fails is not retried: the next tick does the same work.
    const settings = { ...DEFAULT_WORK_OPTIONS, retryLimit: 0, ...options };
    this.register(name, { handler: () => handler(), options: settings, cron });
  }

  /**
   * Queues a job. With a context that carries a transaction, the job is inserted in that transaction (it exists
   * only if the transaction commits).
   */
  async send<T extends object>(
    ctx: RequestContext,
    name: string,
    data: T,
    options: SendJobOptions = {},
  ): Promise<void> {
    const manager = ctx.manager;
    const inTransaction = Boolean(manager?.queryRunner?.isTransactionActive);
    const sql = inTransaction && manager ? manager : this.dataSource.manager;
    const db = { executeSql: async (text: string, values: unknown[]) => ({ rows: await sql.query(text, values) }) };
    const registered = this.registrations.get(name)?.options;
    const jobOptions = {
      startAfter: options.startAfter,
      // Every queue has the `short` policy (one queued job per key); a job without a key gets one of its own.
      singletonKey: options.singletonKey ?? randomUUID(),
      ...(registered ? retrySettings(registered) : {}),
    };
    if (!this.enabled) {
      // Insert-only: the job waits for an instance that runs workers. Without pg-boss installed (no instance has
      // ever run it: tests, a fresh database) there is nobody to wait for, and the job is dropped.
      const [installed] = (await sql.query(`SELECT to_regclass('${SCHEMA}.job') IS NOT NULL AS ok`)) as {
        ok: boolean;
      }[];
      if (!installed.ok) {
        this.logger.debug(
          { queue: name },
          'Jobs are disabled (JOBS_ENABLED=false) and pg-boss is not installed: job dropped',
        );
        return;
      }
      // never started: used for its insert statement only, always with the caller's `db`
      this.inserter ??= new PgBoss({
        schema: SCHEMA,
        db: { executeSql: async (text, values) => ({ rows: await this.dataSource.query(text, values) }) },
        schedule: false,
        supervise: false,
        migrate: false,
      });
      const id = await this.inserter.send(name, data, { ...jobOptions, db });
      // With a key of our own, no id means pg-boss knows no such queue (no worker instance has created it yet).
      if (!id && !options.singletonKey) this.logger.warn({ queue: name }, 'Unknown job queue: job dropped');
      return;
    }
    const boss = await this.ready();
    await this.ensureQueue(boss, name);
    await boss.send(name, data, { ...jobOptions, ...(inTransaction ? { db } : {}) });
  }

  /**
   * Starts pg-boss without holding up the boot: the app listens at once, workers follow as soon as pg-boss is up
   * (installing its schema on a fresh database takes a moment). A `send` meanwhile waits for it.
   */
  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    this.ready().catch((error: unknown) => {
      // The app still serves requests; pg-boss is retried in the background until PostgreSQL answers.
      this.logger.error({ error: safeErrorMessage(error), code: errorCode(error) }, 'pg-boss failed to start');
      this.scheduleRestart();
    });
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    // A start still under way finishes first, so that what it creates is stopped below.
    await this.started?.catch(() => undefined);
    const boss = this.boss;
    const pool = this.pool;
    this.boss = null;
    this.pool = null;
    this.started = null;
    // Leave main.ts's SHUTDOWN_TIMEOUT_MS room to close the HTTP server and the app's pool after this.
    const timeout = Math.max(1000, this.config.values.shutdownTimeoutMs - 2000);
    try {
      await boss?.stop({ graceful: true, wait: true, close: false, timeout });
    } catch (error) {
      this.logger.warn({ error: safeErrorMessage(error) }, 'pg-boss did not stop cleanly');
    }
    await pool?.end().catch(() => undefined);
  }

  private register(name: string, registration: Registration): void {
    if (this.registrations.has(name)) throw new Error(`Job queue "${name}" already has a handler`);
    this.registrations.set(name, registration);
    if (this.started) {
      void this.started
        .then(() => this.startQueue(this.boss!, name, registration))
        .catch((error: unknown) =>
          this.logger.error({ queue: name, error: safeErrorMessage(error) }, 'Could not start the job worker'),
        );
    }
  }

  /** Starts pg-boss once (concurrent callers share the attempt); a failed attempt may be retried. */
  private ready(): Promise<PgBoss> {
    if (this.stopping) return Promise.reject(new Error('Jobs are shutting down'));
    if (!this.started) {
      const started = this.start();
      this.started = started;
      started.catch(() => {
        if (this.started === started) this.started = null;
      });
    }
    return this.started.then(() => this.boss!);
  }

  private async start(): Promise<void> {
    const jobs = this.config.values.jobs;
    const url = (this.dataSource.options as PostgresConnectionOptions).url!;
    if (!this.pool) {
      this.pool = new Pool({
        connectionString: url,
        max: jobs.poolSize,
        application_name: 'trajectorie-jobs',
        connectionTimeoutMillis: this.config.values.database.connectTimeoutMs,
        keepAlive: true,
      });
      // An idle client losing its server emits here; without a listener the process would crash.
      this.pool.on('error', (error) => this.logger.warn({ error: safeErrorMessage(error) }, 'Jobs pool error'));
    }
    const pool = this.pool;
    // A PgBoss whose start() failed stays half-started, so every attempt gets a fresh one.
    const boss = new PgBoss({
      schema: SCHEMA,
      db: { executeSql: (text, values) => this.executeSql(pool, text, values) },
      pollingIntervalSeconds: jobs.pollIntervalSeconds,
    });
    boss.on('error', (error: Error & { queue?: string }) =>
      this.logger.warn({ queue: error.queue, error: safeErrorMessage(error), code: errorCode(error) }, 'pg-boss'),
    );
    this.boss = boss;
    this.working.clear();
    try {
      await this.withQueueLock(pool, async () => {
        await boss.start();
        for (const [name, registration] of this.registrations) await this.startQueue(boss, name, registration, true);
      });
    } catch (error) {
      this.boss = null;
      await boss.stop({ graceful: false, close: false }).catch(() => undefined);
      throw error;
    }
    this.logger.log({ queues: [...this.registrations.keys()] }, 'Background jobs started');
  }

  /** `locked`: the caller holds the queue-creation lock already (a session lock taken twice would wait on itself). */
  private async startQueue(boss: PgBoss, name: string, registration: Registration, locked = false): Promise<void> {
    if (this.working.has(name)) return;
    this.working.add(name);
    await this.ensureQueue(boss, name, { refresh: true, locked });
    const { options } = registration;
    for (let i = 0; i < options.concurrency; i++) {
      await boss.work<object>(
        name,
        { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: this.config.values.jobs.pollIntervalSeconds },
        async ([job]) => this.run(name, registration, job),
      );
    }
    if (registration.cron) await boss.schedule(name, registration.cron, {}, { tz: 'UTC' });
  }

  /** Every queue is created once with the `short` policy and its handler's retry settings (kept up to date). */
  private async ensureQueue(
    boss: PgBoss,
    name: string,
    how: { refresh?: boolean; locked?: boolean } = {},
  ): Promise<void> {
    const { refresh = false, locked = false } = how;
    if (this.knownQueues.has(name) && !refresh) return;
    const registered = this.registrations.get(name)?.options;
    const queue = { name, policy: 'short' as const, ...(registered ? retrySettings(registered) : {}) };
    const create = async () => {
      await boss.createQueue(name, queue);
      if (registered) await boss.updateQueue(name, queue);
    };
    if (locked) await create();
    else await this.withQueueLock(this.pool!, create);
    this.knownQueues.add(name);
  }

  private async withQueueLock<T>(pool: Pool, work: () => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('SELECT pg_advisory_lock($1)', [QUEUE_DDL_LOCK]);
      try {
        return await work();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [QUEUE_DDL_LOCK]).catch((error: Error) => {
          broken = error; // the session (and its lock) goes with the connection
        });
      }
    } finally {
      client.release(broken);
    }
  }

  private async run(name: string, registration: Registration, job: PgBoss.JobWithMetadata<object>): Promise<void> {
    const info: JobInfo = {
      id: job.id,
      name,
      retryCount: job.retryCount,
      retryLimit: job.retryLimit,
      isLastAttempt: job.retryCount >= job.retryLimit,
    };
    try {
      await registration.handler(job.data, info);
    } catch (error) {
      const message = safeErrorMessage(error);
      this.logger.warn(
        {
          queue: name,
          jobId: job.id,
          attempt: job.retryCount + 1,
          final: info.isLastAttempt,
          code: errorCode(error),
          error: message,
        },
        'Job failed',
      );
      // pg-boss stores what it is given in the job row: the masked message only, never the original error.
      throw new Error(message);
    }
  }

  private async executeSql(pool: Pool, text: string, values: unknown[] = []): Promise<{ rows: unknown[] }> {
    try {
      return await pool.query(text, values);
    } catch (error) {
      if (!UNAWAITED_BY_PG_BOSS.test(text)) throw error;
      this.logger.warn(
        { error: safeErrorMessage(error) },
        'Could not record a job result; the job will expire and retry',
      );
      return { rows: [{ count: '0' }] };
    }
  }

  private scheduleRestart(delayMs = 5000): void {
    if (this.stopping) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.ready().catch((error: unknown) => {
        this.logger.warn({ error: safeErrorMessage(error) }, 'pg-boss still cannot start; retrying');
        this.scheduleRestart(Math.min(delayMs * 2, 60_000));
      });
    }, delayMs);
    this.restartTimer.unref();
  }
}

function retrySettings(options: Required<WorkOptions>) {
  return {
    retryLimit: options.retryLimit,
    retryDelay: options.retryDelaySeconds,
    retryBackoff: options.retryBackoff,
    expireInSeconds: options.expireInSeconds,
  };
}
