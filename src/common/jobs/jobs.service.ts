import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../context/request-context';

export interface SendJobOptions {
  /** Do not run before this time. */
  startAfter?: Date;
  /** At most one queued job with this key per queue. */
  singletonKey?: string;
}

export type JobHandler<T> = (data: T) => Promise<void>;

/**
 * Background work on a PostgreSQL-backed job queue (pg-boss), safe with several instances: each job runs once,
 * failures are retried with backoff, recurring jobs fire on one instance per tick.
 * PLACEHOLDER: the API the features code against; the pg-boss implementation replaces this class.
 */
@Injectable()
export class JobsService {
  private readonly handlers = new Map<string, JobHandler<unknown>>();

  /** Registers the handler of queue `name` (call in onModuleInit; workers start after the app is up). */
  work<T extends object>(name: string, handler: JobHandler<T>): void {
    this.handlers.set(name, handler as JobHandler<unknown>);
  }

  /** A recurring job: `handler` runs on one instance per tick of `cron` (UTC, minute granularity). */
  schedule(name: string, cron: string, handler: () => Promise<void>): void {
    void cron;
    this.handlers.set(name, handler as JobHandler<unknown>);
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
    void ctx;
    void name;
    void data;
    void options;
  }
}
