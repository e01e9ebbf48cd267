import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock } from '../../../common/clock/clock';
import { AuthenticatedContext, RequestContext } from '../../../common/context/request-context';
import { NOT_FOUND } from '../../../common/errors/common.errors';
import { DatabaseService } from '../../../database/database.service';
import { JobsService } from '../../../common/jobs/jobs.service';
import { AppConfigService } from '../../../config/app-config.service';
import { AuditService } from '../../audit/audit.service';
import { AttemptEnded, AttemptLifecycleService } from '../attempt-lifecycle.service';
import { InvitationEntity } from '../entities/invitation.entity';
import { TestAttemptEntity } from '../entities/test-attempt.entity';
import { toCandidateInvitationResponse } from '../invitations/dto/invitation.response';
import { AttemptSummary, InvitationAccessService } from '../invitations/invitation-access.service';
import { InvitationsRepository } from '../invitations/invitations.repository';
import { AttemptVersionContent, TestContentReader, toCandidateTest } from '../invitations/test-content.reader';
import { checkAnswers, deadlineOf, insideScheduleWindow, remainingSeconds } from './answer-rules';
import { AttemptFinalizer } from './attempt-finalizer';
import { AttemptsRepository } from './attempts.repository';
import { AnswersDto } from './dto/answers.dto';
import { SaveAnswersResponse, StartTestResponse, SubmitTestResponse, TakeTestResponse } from './dto/taking.response';
import {
  ATTEMPT_ALREADY_SUBMITTED,
  ATTEMPT_DEADLINE_PASSED,
  ATTEMPT_NOT_IN_PROGRESS,
  ATTEMPT_NOT_STARTED,
  INVALID_IDEMPOTENCY_KEY,
  INVITATION_NOT_STARTABLE,
  OUTSIDE_SCHEDULE_WINDOW,
} from './taking.errors';

export const DEADLINE_JOB = 'attempt.deadline';

/**
 * Taking a test by its token (SPEC §4 "Taking a test", §5): read it, start it once, autosave answers, submit once.
 * The invitation row is locked for every change (FOR UPDATE; FOR SHARE while autosaving, so a submit or the
 * sweeper waits for a save in flight), and one attempt per invitation is also a unique index.
 */
@Injectable()
export class TakingService {
  constructor(
    private readonly access: InvitationAccessService,
    private readonly invitations: InvitationsRepository,
    private readonly attempts: AttemptsRepository,
    private readonly tests: TestContentReader,
    private readonly finalizer: AttemptFinalizer,
    private readonly jobs: JobsService,
    private readonly audit: AuditService,
    private readonly config: AppConfigService,
    private readonly clock: Clock,
    private readonly db: DatabaseService,
    private readonly lifecycle: AttemptLifecycleService,
  ) {}

  private get rules() {
    return this.config.values.timedTests;
  }

  take(ctx: RequestContext, token: string): Promise<TakeTestResponse> {
    return this.access.withToken(ctx, token, null, async (tx, invitation, attempt, test) => {
      const now = this.clock.now();
      if (invitation.status === 'completed' || (attempt && attempt.status !== 'in_progress')) {
        throw ATTEMPT_ALREADY_SUBMITTED();
      }
      if (!attempt) this.checkWindow(invitation, now);
      const content: AttemptVersionContent = attempt
        ? await this.version(tx, invitation, attempt.test_version_id)
        : await this.tests.forNewAttempt(tx, invitation, test);
      const saved = attempt ? await this.attempts.savedAnswers(tx, invitation.tenant_id, attempt.id) : [];
      const wholeTime = deadlineOf(now, content.version.duration_minutes, invitation.extra_time_percent);
      return {
        invite: toCandidateInvitationResponse(invitation, content.version.title),
        test: toCandidateTest(content),
        server_time: now.toISOString(),
        started_at: attempt ? attempt.started_at.toISOString() : null,
        deadline: attempt ? attempt.deadline.toISOString() : null,
        remaining_time_seconds: remainingSeconds(attempt ? attempt.deadline : wholeTime, now),
        saved_answers: saved.map((row) => ({
          question_id: row.question_id,
          answer: row.answer,
          saved_at: row.saved_at.toISOString(),
        })),
      };
    });
  }

  /** Idempotent: a started attempt is returned as it is (same clock); a finished one is never reopened (409). */
  start(ctx: RequestContext, token: string): Promise<StartTestResponse> {
    return this.access.withToken(ctx, token, 'start', async (tx, invitation, existing, test) => {
      const now = this.clock.now();
      if (existing) {
        if (existing.status !== 'in_progress') throw ATTEMPT_ALREADY_SUBMITTED();
        return this.started(existing, now, 'Test already started');
      }
      if (invitation.status === 'completed') throw ATTEMPT_ALREADY_SUBMITTED();
      if (invitation.status !== 'sent' && invitation.status !== 'scheduled') {
        throw INVITATION_NOT_STARTABLE(invitation.status);
      }
      this.checkWindow(invitation, now);
      const content = await this.tests.forNewAttempt(tx, invitation, test);
      const deadline = deadlineOf(now, content.version.duration_minutes, invitation.extra_time_percent);
      const attemptId = randomUUID();
      // attempt, invitation, event and audit row in one statement; then the deadline job, in the same unit
      await this.attempts.begin(tx, {
        id: attemptId,
        tenantId: invitation.tenant_id,
        invitationId: invitation.id,
        testId: invitation.test_id,
        testVersionId: content.version.id,
        applicantEmail: invitation.applicant_email,
        startedAt: now,
        deadline,
        event: { at: now.toISOString(), deadline: deadline.toISOString(), test_version_id: content.version.id },
        audit: this.audit.rowValues(tx, {
          action: 'attempt.start',
          resourceType: 'attempt',
          resourceId: attemptId,
          tenantId: invitation.tenant_id,
          userId: null,
          newValues: { invitation_id: invitation.id, started_at: now, deadline },
        }),
      });
      await this.jobs.send(
        tx,
        DEADLINE_JOB,
        { attemptId, tenantId: invitation.tenant_id },
        { startAfter: new Date(deadline.getTime() + this.rules.submitGraceSeconds * 1000), singletonKey: attemptId },
      );
      return this.started({ started_at: now, deadline }, now, 'Test started successfully');
    });
  }

  /**
   * Autosave: upserts one row per question and logs one event per call (not per keystroke) — one statement, after
   * the token lookup that brought the attempt (the hottest candidate route: every few seconds per candidate).
   */
  saveAnswers(ctx: RequestContext, token: string, dto: AnswersDto): Promise<SaveAnswersResponse> {
    return this.access.withToken(ctx, token, 'share', async (tx, invitation, found) => {
      const now = this.clock.now();
      const attempt = this.openAttempt(invitation, found, now);
      const content = await this.version(tx, invitation, attempt.test_version_id);
      checkAnswers(content.questions, dto.answers);
      const questionIds = dto.answers.map((a) => a.question_id.toLowerCase());
      await this.attempts.autosave(tx, {
        tenantId: invitation.tenant_id,
        attemptId: attempt.id,
        invitationId: invitation.id,
        answers: dto.answers.map((a, i) => ({ question_id: questionIds[i], answer: a.answer })),
        savedAt: now,
        event: { at: now.toISOString(), question_ids: questionIds },
      });
      return {
        message: 'Answers saved',
        saved: dto.answers.length,
        server_time: now.toISOString(),
        deadline: attempt.deadline.toISOString(),
        remaining_time_seconds: remainingSeconds(attempt.deadline, now),
      };
    });
  }

  /**
   * Submit once. A repeat with the first submit's Idempotency-Key gets the first response again; any other repeat
   * is 409. After deadline + grace it is 409 and nothing changes (the sweeper submits what was saved).
   */
  async submit(
    ctx: RequestContext,
    token: string,
    dto: AnswersDto,
    idempotencyKey: string | undefined,
  ): Promise<SubmitTestResponse> {
    const key = idempotencyKeyOf(idempotencyKey);
    const done: { ended: AttemptEnded | null } = { ended: null };
    const response = await this.access.withToken(ctx, token, 'update', async (tx, invitation, found) => {
      const now = this.clock.now();
      if (found && found.status !== 'in_progress') {
        // the stored response, replayed for the first submit's key (only a finished attempt's full row is read)
        const attempt = await this.attempts.findById(tx, invitation.tenant_id, found.id);
        if (key && attempt?.idempotency_key === key && attempt.submit_response) {
          return attempt.submit_response as unknown as SubmitTestResponse;
        }
        throw ATTEMPT_ALREADY_SUBMITTED();
      }
      const open = this.openAttempt(invitation, found, now);
      const content = await this.version(tx, invitation, open.test_version_id);
      checkAnswers(content.questions, dto.answers);
      const result = await this.finalizer.finalise(
        tx,
        invitation,
        { id: open.id, tenant_id: invitation.tenant_id },
        content,
        {
          status: 'submitted',
          now,
          answers: dto.answers,
          idempotencyKey: key,
        },
      );
      done.ended = endedEvent({ ...open, tenant_id: invitation.tenant_id, invitation_id: invitation.id }, 'submitted');
      return result;
    });
    // after the commit: live watchers are told, the candidate's sockets closed (docs/proctoring.md)
    if (done.ended) this.lifecycle.ended(done.ended);
    return response;
  }

  /**
   * A proctor ends a running attempt (docs/proctoring.md `proctor:terminate`): the submit's path — the invitation
   * locked FOR UPDATE, saved answers scored and kept, invitation completed — with status `terminated`. A foreign or
   * unknown invitation is NOT_FOUND; a finished attempt ATTEMPT_NOT_IN_PROGRESS.
   */
  async terminate(ctx: AuthenticatedContext, inviteId: string, reason: string): Promise<SubmitTestResponse> {
    const { result, ended } = await this.db.transaction(ctx, async (tx) => {
      const invitation = await this.invitations.findForCaller(tx, inviteId, true);
      if (!invitation) throw NOT_FOUND('Session not found');
      const attempt = await this.attempts.findByInvitation(tx, invitation.tenant_id, invitation.id);
      if (!attempt || attempt.status !== 'in_progress') throw ATTEMPT_NOT_IN_PROGRESS();
      const content = await this.version(tx, invitation, attempt.test_version_id);
      const response = await this.finalizer.finalise(tx, invitation, attempt, content, {
        status: 'terminated',
        now: this.clock.now(),
        answers: [],
        idempotencyKey: null,
        terminatedBy: { userId: ctx.user.id, reason },
      });
      return { result: response, ended: { ...endedEvent(attempt, 'terminated'), reason } };
    });
    this.lifecycle.ended(ended);
    return result;
  }

  /** The attempt answers may still be written to: started, not finished, not past deadline + grace. */
  private openAttempt<A extends AttemptSummary>(invitation: InvitationEntity, attempt: A | null, now: Date): A {
    if (!attempt) throw invitation.status === 'completed' ? ATTEMPT_ALREADY_SUBMITTED() : ATTEMPT_NOT_STARTED();
    if (attempt.status !== 'in_progress') throw ATTEMPT_ALREADY_SUBMITTED();
    if (now.getTime() > attempt.deadline.getTime() + this.rules.submitGraceSeconds * 1000) {
      throw ATTEMPT_DEADLINE_PASSED();
    }
    return attempt;
  }

  private checkWindow(invitation: InvitationEntity, now: Date): void {
    const minutes = this.rules.scheduleWindowMinutes;
    if (!insideScheduleWindow(invitation.scheduled_date, invitation.no_schedule, now, minutes)) {
      throw OUTSIDE_SCHEDULE_WINDOW(minutes);
    }
  }

  private started(
    attempt: Pick<AttemptSummary, 'started_at' | 'deadline'>,
    now: Date,
    message: string,
  ): StartTestResponse {
    return {
      message,
      status: 'in_progress',
      started_at: attempt.started_at.toISOString(),
      deadline: attempt.deadline.toISOString(),
      server_time: now.toISOString(),
      remaining_time_seconds: remainingSeconds(attempt.deadline, now),
    };
  }

  private version(tx: RequestContext, invitation: InvitationEntity, versionId: string): Promise<AttemptVersionContent> {
    return this.tests.version(tx, invitation.tenant_id, versionId);
  }
}

export function endedEvent(
  attempt: Pick<TestAttemptEntity, 'tenant_id' | 'invitation_id' | 'id' | 'deadline'>,
  status: AttemptEnded['status'],
): AttemptEnded {
  return {
    tenantId: attempt.tenant_id,
    inviteId: attempt.invitation_id,
    attemptId: attempt.id,
    status,
    deadline: attempt.deadline.toISOString(),
  };
}

function idempotencyKeyOf(header: string | undefined): string | null {
  if (header === undefined) return null;
  if (!/^[\x21-\x7e]{1,255}$/.test(header)) throw INVALID_IDEMPOTENCY_KEY();
  return header;
}
