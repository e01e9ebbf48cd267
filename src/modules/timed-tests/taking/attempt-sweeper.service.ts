import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Clock } from '../../../common/clock/clock';
import { RequestContext, systemContext } from '../../../common/context/request-context';
import { JobsService } from '../../../common/jobs/jobs.service';
import { AppConfigService } from '../../../config/app-config.service';
import { DatabaseService } from '../../../database/database.service';
import { AuditService } from '../../audit/audit.service';
import { InvitationEntity } from '../entities/invitation.entity';
import { InvitationsRepository } from '../invitations/invitations.repository';
import { TestContentReader } from '../invitations/test-content.reader';
import { AttemptFinalizer } from './attempt-finalizer';
import { AttemptsRepository } from './attempts.repository';
import { AttemptLifecycleService } from '../attempt-lifecycle.service';
import { DEADLINE_JOB, endedEvent } from './taking.service';

export const SWEEP_JOB = 'attempts.sweep';
const BATCH = 100;

export interface DeadlineJob {
  attemptId: string;
  tenantId: string;
}

/**
 * Background work of timed tests, on the job queue (safe with several instances): each attempt's deadline job,
 * and a sweep every minute that auto-submits every attempt past deadline + grace from its saved answers and
 * expires open invitations past `expires_at`. Rows are claimed with row locks taken with SKIP LOCKED — always the
 * invitation first, as the token routes do, so a sweep and a submit never deadlock — and re-checked under the
 * lock, so an attempt is finalised exactly once whoever gets there first.
 */
@Injectable()
export class AttemptSweeperService implements OnModuleInit {
  private readonly logger = new Logger(AttemptSweeperService.name);

  constructor(
    private readonly db: DatabaseService,
    private readonly attempts: AttemptsRepository,
    private readonly invitations: InvitationsRepository,
    private readonly tests: TestContentReader,
    private readonly finalizer: AttemptFinalizer,
    private readonly audit: AuditService,
    private readonly jobs: JobsService,
    private readonly config: AppConfigService,
    private readonly clock: Clock,
    private readonly lifecycle: AttemptLifecycleService,
  ) {}

  onModuleInit(): void {
    this.jobs.work<DeadlineJob>(DEADLINE_JOB, async (job) => {
      await this.autoSubmit(job.tenantId, job.attemptId, this.clock.now());
    });
    this.jobs.schedule(SWEEP_JOB, '* * * * *', async () => {
      const now = this.clock.now();
      const submitted = await this.sweepExpiredAttempts(now);
      const expired = await this.expireOverdueInvitations(now);
      if (submitted + expired > 0) this.logger.log({ submitted, expired }, 'Timed tests sweep');
    });
  }

  private get graceMs(): number {
    return this.config.values.timedTests.submitGraceSeconds * 1000;
  }

  /** Auto-submits every in-progress attempt past deadline + grace; returns how many this call finalised. */
  async sweepExpiredAttempts(now: Date): Promise<number> {
    const ctx = systemContext('sweep:attempts');
    const cutoff = new Date(now.getTime() - this.graceMs);
    let done = 0;
    const skipped = new Set<string>();
    for (;;) {
      const due = (
        await this.db.crossTenant(ctx, 'deadline sweep', (tx) =>
          this.attempts.findDue(tx, cutoff, BATCH + skipped.size),
        )
      ).filter((a) => !skipped.has(a.id));
      if (due.length === 0) return done;
      for (const attempt of due) {
        if (await this.autoSubmit(attempt.tenant_id, attempt.id, now)) done += 1;
        else skipped.add(attempt.id);
      }
    }
  }

  /** Marks sent/scheduled invitations past `expires_at` as expired; returns how many. */
  async expireOverdueInvitations(now: Date): Promise<number> {
    const ctx = systemContext('sweep:invitations');
    let total = 0;
    for (;;) {
      const count = await this.db.crossTenant(ctx, 'invitation expiry sweep', async (tx) => {
        const rows = await this.invitations.expireOverdue(tx, now, BATCH);
        for (const row of rows) {
          await this.audit.record(tx, {
            action: 'invitation.expire',
            resourceType: 'invitation',
            resourceId: row.id,
            tenantId: row.tenant_id,
            userId: null,
            newValues: { status: 'expired' },
          });
        }
        return rows.length;
      });
      total += count;
      if (count < BATCH) return total;
    }
  }

  /**
   * Finalises one attempt as `auto_submitted` if it is still in progress and past deadline + grace. False when
   * another worker holds its invitation (it will finish it) or there is nothing to do.
   */
  async autoSubmit(tenantId: string, attemptId: string, now: Date): Promise<boolean> {
    const ctx: RequestContext = systemContext(`deadline:${attemptId}`);
    const ended = await this.db.asTenant(ctx, tenantId, async (tx) => {
      const attempt = await this.attempts.findById(tx, tenantId, attemptId);
      if (!attempt || attempt.status !== 'in_progress') return null;
      const invitation = await this.lockSkipLocked(tx, tenantId, attempt.invitation_id);
      if (!invitation) return null;
      const current = await this.attempts.findById(tx, tenantId, attemptId);
      if (!current || current.status !== 'in_progress') return null;
      if (current.deadline.getTime() + this.graceMs > now.getTime()) return null;
      const content = await this.tests.version(tx, tenantId, current.test_version_id);
      await this.finalizer.finalise(tx, invitation, current, content, {
        status: 'auto_submitted',
        now,
        answers: [],
        idempotencyKey: null,
      });
      return endedEvent(current, 'auto_submitted');
    });
    // after the commit: watchers get attempt:deadline, the candidate's sockets close (docs/proctoring.md)
    if (ended) this.lifecycle.ended(ended);
    return ended !== null;
  }

  private lockSkipLocked(tx: RequestContext, tenantId: string, id: string): Promise<InvitationEntity | null> {
    return this.invitations.lockSkipLocked(tx, tenantId, id);
  }
}
