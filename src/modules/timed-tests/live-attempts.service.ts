import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import { AuthenticatedContext, RequestContext } from '../../common/context/request-context';
import { AppError } from '../../common/errors/app-error';
import { INVALID_TOKEN, NOT_FOUND } from '../../common/errors/common.errors';
import { AppConfigService } from '../../config/app-config.service';
import { DatabaseService } from '../../database/database.service';
import { AuditService } from '../audit/audit.service';
import { InvitationAccessService } from './invitations/invitation-access.service';
import { INVITATION_EXPIRED, INVITATION_NOT_FOUND } from './invitations/invitations.errors';
import { AttemptsRepository, LiveSessionRow } from './taking/attempts.repository';
import { ATTEMPT_NOT_IN_PROGRESS } from './taking/taking.errors';
import { SubmitTestResponse } from './taking/dto/taking.response';
import { TakingService } from './taking/taking.service';

/** A candidate's socket, as its invitation token admitted it. */
export interface LiveCandidate {
  tenantId: string;
  inviteId: string;
  attemptId: string;
  /** ISO */
  deadline: string;
  applicantName: string;
}

/** docs/proctoring.md `LiveSession`, without what only the sockets know (connected, watchers). */
export interface LiveAttempt {
  invite_id: string;
  attempt_id: string;
  tenant_id: string;
  test_id: string;
  test_title: string;
  applicant_name: string;
  applicant_email: string;
  started_at: string;
  deadline: string;
  flags: number;
  integrity_events: number;
}

export interface RecordedEvent {
  eventId: string;
  tenantId: string;
  attemptId: string;
  inviteId: string;
}

const toLiveAttempt = (row: LiveSessionRow): LiveAttempt => ({
  invite_id: row.invite_id,
  attempt_id: row.attempt_id,
  tenant_id: row.tenant_id,
  test_id: row.test_id,
  test_title: row.test_title,
  applicant_name: row.applicant_name,
  applicant_email: row.applicant_email,
  started_at: row.started_at.toISOString(),
  deadline: row.deadline.toISOString(),
  flags: Number(row.flags),
  integrity_events: Number(row.integrity_events),
});

/**
 * What live proctoring needs of timed tests (docs/proctoring.md), kept at the top of the feature so the proctoring
 * module uses it without reaching into the taking internals (docs/module-boundaries.md): the candidate's token check
 * (the token routes' own access path and rate limits), the running attempts of a tenant, the attempt event log, and
 * terminate (the submit path). Staff calls run in the caller's unit of work (row-level security: its tenant, every
 * tenant for a superadmin); a candidate's in the tenant its token named.
 */
@Injectable()
export class LiveAttemptsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly access: InvitationAccessService,
    private readonly attempts: AttemptsRepository,
    private readonly taking: TakingService,
    private readonly config: AppConfigService,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  /**
   * The running attempt a token admits: the invitation exists and is not cancelled or expired (else INVALID_TOKEN /
   * ATTEMPT_NOT_IN_PROGRESS), and its attempt is in progress with
   * deadline + grace not passed (else ATTEMPT_NOT_IN_PROGRESS). Reads only.
   */
  async candidateAccess(ctx: RequestContext, token: string): Promise<LiveCandidate> {
    try {
      return await this.admitCandidate(ctx, token);
    } catch (error) {
      // the socket's codes (docs/proctoring.md "Connecting"): an unknown or cancelled token is INVALID_TOKEN, an
      // expired invitation has no running attempt
      if (error instanceof AppError && error.code === INVITATION_NOT_FOUND().code) throw INVALID_TOKEN();
      if (error instanceof AppError && error.code === INVITATION_EXPIRED().code) throw ATTEMPT_NOT_IN_PROGRESS();
      throw error;
    }
  }

  private admitCandidate(ctx: RequestContext, token: string): Promise<LiveCandidate> {
    // the token lookup returns the attempt with the invitation: a read-only check, no further query
    return this.access.withToken(ctx, token, null, async (_tx, invitation, attempt) => {
      const graceMs = this.config.values.timedTests.submitGraceSeconds * 1000;
      if (
        !attempt ||
        attempt.status !== 'in_progress' ||
        this.clock.now().getTime() > attempt.deadline.getTime() + graceMs
      ) {
        throw ATTEMPT_NOT_IN_PROGRESS();
      }
      return {
        tenantId: invitation.tenant_id,
        inviteId: invitation.id,
        attemptId: attempt.id,
        deadline: attempt.deadline.toISOString(),
        applicantName: invitation.applicant_name,
      };
    });
  }

  /** A running attempt of the caller's tenant (any tenant's for a superadmin) by its invitation. */
  async liveAttempt(ctx: AuthenticatedContext, inviteId: string): Promise<LiveAttempt> {
    const [row] = await this.db.transaction(ctx, (tx) => this.attempts.liveSessions(tx, { inviteId }));
    if (!row) throw NOT_FOUND('Session not found');
    if (row.status !== 'in_progress') throw ATTEMPT_NOT_IN_PROGRESS();
    return toLiveAttempt(row);
  }

  /** The running attempts of the caller's tenant; a superadmin's: every tenant's, or `tenantId`'s. */
  async liveAttempts(ctx: AuthenticatedContext, tenantId?: string): Promise<LiveAttempt[]> {
    const rows = await this.db.transaction(ctx, (tx) =>
      this.attempts.liveSessions(tx, { tenantId, inProgressOnly: true }),
    );
    return rows.map(toLiveAttempt);
  }

  /** The same for a candidate's own attempt (its `session:started` push). */
  async candidateAttempt(ctx: RequestContext, candidate: LiveCandidate): Promise<LiveAttempt | null> {
    const [row] = await this.db.asTenant(ctx, candidate.tenantId, (tx) =>
      this.attempts.liveSessions(tx, { inviteId: candidate.inviteId, tenantId: candidate.tenantId }),
    );
    return row ? toLiveAttempt(row) : null;
  }

  /**
   * A staff member's event on a running attempt (`proctor.*`), actor = the caller, audited in the same unit when
   * `auditAction` is given. NOT_FOUND for a foreign or
   * unknown invitation, ATTEMPT_NOT_IN_PROGRESS for a finished attempt (unless `anyStatus`: an unwatch is logged
   * even after the end).
   */
  async recordStaffEvent(
    ctx: AuthenticatedContext,
    inviteId: string,
    type: string,
    data: object,
    options: { anyStatus?: boolean; auditAction?: string } = {},
  ): Promise<RecordedEvent> {
    const written = await this.db.transaction(ctx, async (tx) => {
      const row = await this.attempts.appendAttemptEvent(
        tx,
        { inviteId },
        { type, data, actorUserId: ctx.user.id, inProgressOnly: !options.anyStatus },
      );
      if (row && options.auditAction) {
        await this.audit.record(tx, {
          action: options.auditAction,
          resourceType: 'attempt',
          resourceId: row.attempt_id,
          tenantId: row.tenant_id,
          newValues: { invitation_id: row.invitation_id, ...data },
        });
      }
      if (row) return row;
      const [attempt] = await this.attempts.liveSessions(tx, { inviteId });
      throw attempt ? ATTEMPT_NOT_IN_PROGRESS() : NOT_FOUND('Session not found');
    });
    return {
      eventId: String(written.id),
      tenantId: written.tenant_id,
      attemptId: written.attempt_id,
      inviteId: written.invitation_id,
    };
  }

  /**
   * A candidate's event (`integrity.*`, `candidate.*`). Integrity events are written only while the attempt runs
   * (ATTEMPT_NOT_IN_PROGRESS after); connection events always.
   */
  async recordCandidateEvent(
    ctx: RequestContext,
    candidate: LiveCandidate,
    type: string,
    data: object,
    options: { anyStatus?: boolean } = {},
  ): Promise<RecordedEvent> {
    const written = await this.db.asTenant(ctx, candidate.tenantId, (tx) =>
      this.attempts.appendAttemptEvent(
        tx,
        { attemptId: candidate.attemptId },
        { type, data, actorUserId: null, inProgressOnly: !options.anyStatus },
      ),
    );
    if (!written) throw ATTEMPT_NOT_IN_PROGRESS();
    return {
      eventId: String(written.id),
      tenantId: written.tenant_id,
      attemptId: written.attempt_id,
      inviteId: written.invitation_id,
    };
  }

  /**
   * Of the attempts named, those no longer in progress, with their status (unknown ones count as ended): the gateway's
   * periodic re-check of candidate sockets, one query for all of an instance's candidates.
   */
  async endedAttempts(ctx: RequestContext, attemptIds: readonly string[]): Promise<Map<string, string>> {
    const ended = new Map<string, string>();
    if (attemptIds.length === 0) return ended;
    const statuses = await this.db.crossTenant(ctx, 'proctoring.recheck', (tx) =>
      this.attempts.statuses(tx, attemptIds),
    );
    for (const id of attemptIds) {
      const status = statuses.get(id) ?? 'ended';
      if (status !== 'in_progress') ended.set(id, status);
    }
    return ended;
  }

  /** `proctor:terminate`: TakingService.terminate (the submit path, status `terminated`). */
  terminate(ctx: AuthenticatedContext, inviteId: string, reason: string): Promise<SubmitTestResponse> {
    return this.taking.terminate(ctx, inviteId, reason);
  }
}
