import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import { systemContext } from '../../common/context/request-context';
import { JobInfo, JobsService } from '../../common/jobs/jobs.service';
import { errorCode, safeErrorMessage } from '../../common/jobs/safe-error-message';
import { AppConfigService } from '../../config/app-config.service';
import { DatabaseService } from '../../database/database.service';
import { MailRepository } from './mail.repository';
import { DeliveryReceipt, MailTransport } from './mail-transport';

/** The queue of e-mail deliveries: one job per outbox row. */
export const MAIL_DELIVER_QUEUE = 'mail.deliver';
/** The recurring sweep that requeues stranded e-mails. */
export const MAIL_REQUEUE_SCHEDULE = 'mail.requeue';
/** A pending e-mail this late past its expected attempt has lost its job. */
const STRANDED_AFTER_MS = 15 * 60 * 1000;
const REQUEUE_BATCH = 200;

export interface MailDeliverJob {
  outboxId: string;
  tenantId: string;
}

/** Thrown so that pg-boss retries the job later (with backoff); the outbox row already records the failure. */
export class MailDeliveryError extends Error {
  override readonly name = 'MailDeliveryError';
}

type Outcome = { kind: 'done' } | { kind: 'retry'; error: string };

/**
 * The background sender: works the `mail.deliver` queue. Each job claims its outbox row (`FOR UPDATE SKIP LOCKED`,
 * in a unit of work for the row's tenant), sends it unless it is no longer pending (so an e-mail is never sent
 * twice), and records the outcome on the row and on its invitation in the same transaction. A failure is recorded,
 * then thrown, so pg-boss retries with exponential backoff; after the last retry the e-mail is `failed`.
 */
@Injectable()
export class MailDeliveryService implements OnModuleInit {
  private readonly logger = new Logger('Mail');

  constructor(
    private readonly db: DatabaseService,
    private readonly jobs: JobsService,
    private readonly outbox: MailRepository,
    private readonly transport: MailTransport,
    private readonly clock: Clock,
    private readonly config: AppConfigService,
  ) {}

  onModuleInit(): void {
    const { retryLimit, retryDelaySeconds } = this.config.values.mail;
    this.jobs.work<MailDeliverJob>(MAIL_DELIVER_QUEUE, (data, job) => this.deliver(data, job), {
      retryLimit,
      retryDelaySeconds,
      retryBackoff: true,
      // above the SMTP timeouts of MailTransport, so a run is never cut while it still holds its row
      expireInSeconds: 120,
      concurrency: 2,
    });
    this.jobs.schedule(MAIL_REQUEUE_SCHEDULE, '*/10 * * * *', () => this.requeueStranded().then(() => undefined));
  }

  /**
   * The safety net behind the queue: an e-mail still pending well after its expected attempt gets a new delivery
   * job (keyed by the outbox id, so at most one is queued), or is marked failed when its attempts are used up.
   * Returns how many were requeued.
   */
  async requeueStranded(): Promise<number> {
    const now = this.clock.now();
    const { retryLimit } = this.config.values.mail;
    const ctx = systemContext(`job:${MAIL_REQUEUE_SCHEDULE}`);
    return this.db.crossTenant(ctx, 'mail sweep: stranded e-mails of every tenant', async (tx) => {
      const rows = await this.outbox.stranded(tx, new Date(now.getTime() - STRANDED_AFTER_MS), REQUEUE_BATCH);
      let requeued = 0;
      for (const row of rows) {
        if (row.attempts > retryLimit) {
          const claimed = await this.outbox.claim(tx, row.tenant_id, row.id);
          if (typeof claimed === 'object' && claimed.status === 'pending') {
            const error = 'delivery abandoned: no attempt left';
            await this.outbox.markFailed(tx, { ...claimed, attempts: claimed.attempts - 1 }, error, true, now);
            await this.outbox.invitationEmailOutcome(tx, claimed, { status: 'failed', error });
          }
          continue;
        }
        await this.outbox.deferred(tx, row.tenant_id, row.id, new Date(now.getTime() + STRANDED_AFTER_MS));
        await this.jobs.send<MailDeliverJob>(
          tx,
          MAIL_DELIVER_QUEUE,
          { outboxId: row.id, tenantId: row.tenant_id },
          { singletonKey: row.id },
        );
        requeued++;
      }
      if (rows.length) this.logger.warn({ stranded: rows.length, requeued }, 'Requeued stranded e-mails');
      return requeued;
    });
  }

  async deliver(data: MailDeliverJob, job: Pick<JobInfo, 'isLastAttempt' | 'retryCount'>): Promise<void> {
    const ctx = systemContext(`job:${MAIL_DELIVER_QUEUE}`);
    const outcome = await this.db.asTenant(ctx, data.tenantId, (tx) => this.attempt(tx, data, job));
    if (outcome.kind === 'retry') throw new MailDeliveryError(outcome.error);
  }

  private async attempt(
    tx: ReturnType<typeof systemContext>,
    data: MailDeliverJob,
    job: Pick<JobInfo, 'isLastAttempt' | 'retryCount'>,
  ): Promise<Outcome> {
    const row = await this.outbox.claim(tx, data.tenantId, data.outboxId);
    if (row === 'gone') {
      this.logger.warn({ outboxId: data.outboxId }, 'Outbox row not found; nothing to send');
      return { kind: 'done' };
    }
    // Another run holds the row (a run that outlived its job's expiry): try again once it is done with it.
    if (row === 'busy') return { kind: 'retry', error: 'the e-mail is being delivered by another worker' };
    if (row.status !== 'pending') return { kind: 'done' };

    let receipt: DeliveryReceipt;
    try {
      receipt = await this.transport.deliver({
        id: row.id,
        to: row.to_address,
        subject: row.subject,
        text: row.text_body,
        html: row.html_body,
      });
    } catch (cause) {
      const error = safeErrorMessage(cause);
      const final = job.isLastAttempt;
      const { retryDelaySeconds } = this.config.values.mail;
      // the latest pg-boss may wait: retryDelay × 2^retryCount × (1 + jitter), jitter < 1
      const nextAttemptAt = new Date(this.clock.now().getTime() + retryDelaySeconds * 1000 * 2 ** (job.retryCount + 1));
      await this.outbox.markFailed(tx, row, error, final, nextAttemptAt);
      await this.outbox.invitationEmailOutcome(tx, row, { status: final ? 'failed' : 'pending', error });
      this.logger.warn(
        { outboxId: row.id, attempts: row.attempts + 1, final, code: errorCode(cause), error },
        final ? 'E-mail delivery failed for good' : 'E-mail delivery failed; will retry',
      );
      return { kind: 'retry', error };
    }
    // Past this point the message is out: a database failure now rolls back and the retry sends it again
    // (at-least-once, the only guarantee SMTP allows); the fixed Message-ID lets mail systems spot the duplicate.
    const at = this.clock.now();
    await this.outbox.markSent(tx, row, at);
    await this.outbox.invitationEmailOutcome(tx, row, { status: 'sent', at });
    this.logger.log({ outboxId: row.id, via: receipt.via, attempts: row.attempts + 1 }, 'E-mail delivered');
    return { kind: 'done' };
  }
}
