import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../common/context/request-context';
import { DatabaseService } from '../../../database/database.service';
import { AUDIT_COLUMNS } from '../../audit/audit.service';
import { TenantScopedRepository, unscoped } from '../../../database/tenant-scoped';
import { AttemptAnswerEntity } from '../entities/attempt-answer.entity';
import { TestAttemptEntity } from '../entities/test-attempt.entity';
import { LessThanOrEqual } from 'typeorm';

export interface AnswerWrite {
  question_id: string;
  answer: string | string[];
  saved_at: Date;
  is_correct?: boolean | null;
  auto_points?: number | null;
  manual_score_status?: 'pending' | null;
}

/** An attempt as the proctoring gateway shows it (docs/proctoring.md `LiveSession`, without the socket counts). */
export interface LiveSessionRow {
  invite_id: string;
  attempt_id: string;
  tenant_id: string;
  test_id: string;
  test_title: string;
  applicant_name: string;
  applicant_email: string;
  started_at: Date;
  deadline: Date;
  status: string;
  flags: number;
  integrity_events: number;
}

export interface LoggedEvent {
  id: string;
  tenant_id: string;
  attempt_id: string;
  invitation_id: string;
}

/** Attempts of a tenant's invitations (one per invitation), their answers and their append-only event log. */
@Injectable()
export class AttemptsRepository extends TenantScopedRepository<TestAttemptEntity> {
  constructor(db: DatabaseService) {
    super(db, TestAttemptEntity);
  }

  findByInvitation(ctx: RequestContext, tenantId: string, invitationId: string): Promise<TestAttemptEntity | null> {
    return this.findOne(ctx, { tenant_id: tenantId, invitation_id: invitationId });
  }

  findById(ctx: RequestContext, tenantId: string, id: string): Promise<TestAttemptEntity | null> {
    return this.findOne(ctx, { tenant_id: tenantId, id });
  }

  /** In-progress attempts whose deadline (plus grace) is at or before `cutoff`, every tenant (the sweep). */
  findDue(ctx: RequestContext, cutoff: Date, limit: number): Promise<TestAttemptEntity[]> {
    return this.find(
      ctx,
      unscoped('deadline sweep: every tenant', { status: 'in_progress' as const, deadline: LessThanOrEqual(cutoff) }),
      { order: { deadline: 'ASC' }, take: limit, select: { id: true, tenant_id: true, invitation_id: true } },
    );
  }

  savedAnswers(ctx: RequestContext, tenantId: string, attemptId: string): Promise<AttemptAnswerEntity[]> {
    return this.db.repo(ctx, AttemptAnswerEntity).find({
      where: { tenant_id: tenantId, attempt_id: attemptId },
      order: { saved_at: 'ASC' },
    });
  }

  /**
   * Autosave as one statement: upserts one answer row per question (a later save replaces the answer) and appends
   * the `answers_saved` event — a named prepared statement, parsed and planned once per connection, with the answers
   * as one jsonb parameter, whatever their number.
   */
  async autosave(
    ctx: RequestContext,
    save: {
      tenantId: string;
      attemptId: string;
      invitationId: string;
      answers: { question_id: string; answer: string | string[] }[];
      savedAt: Date;
      event: object;
    },
  ): Promise<void> {
    await this.db.prepared(
      ctx,
      'attempt-autosave',
      `WITH saved AS (
         INSERT INTO attempt_answers (tenant_id, attempt_id, question_id, answer, saved_at)
         SELECT $1::uuid, $2::uuid, a.question_id, a.answer, $4::timestamptz
           FROM jsonb_to_recordset($3::jsonb) AS a(question_id uuid, answer jsonb)
         ON CONFLICT (attempt_id, question_id) DO UPDATE SET answer = excluded.answer, saved_at = excluded.saved_at
       )
       INSERT INTO attempt_events (tenant_id, attempt_id, invitation_id, type, data)
       VALUES ($1::uuid, $2::uuid, $5::uuid, 'answers_saved', $6::jsonb)`,
      [
        save.tenantId,
        save.attemptId,
        JSON.stringify(save.answers),
        save.savedAt,
        save.invitationId,
        JSON.stringify(save.event),
      ],
    );
  }

  /**
   * A start's writes as one statement: the attempt (its id chosen by the caller, so the job and the audit row can
   * name it), the invitation `in_progress`, the `started` event and the audit row (`audit`: the values of
   * AUDIT_COLUMNS). The caller holds the invitation's row lock and has checked that it has no attempt.
   */
  async begin(
    ctx: RequestContext,
    start: {
      id: string;
      tenantId: string;
      invitationId: string;
      testId: string;
      testVersionId: string;
      applicantEmail: string;
      startedAt: Date;
      deadline: Date;
      event: object;
      audit: unknown[];
    },
  ): Promise<void> {
    await this.db.prepared(
      ctx,
      'attempt-begin',
      `WITH attempt AS (
         INSERT INTO test_attempts (id, tenant_id, invitation_id, test_id, test_version_id, applicant_email, status,
                                    started_at, deadline, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'in_progress', $7, $8, $7, $7)
       ), invitation AS (
         UPDATE invitations SET status = 'in_progress', started_at = $7, updated_at = $7
          WHERE id = $3 AND tenant_id = $2
       ), event AS (
         INSERT INTO attempt_events (tenant_id, attempt_id, invitation_id, type, data)
         VALUES ($2, $1, $3, 'started', $9::jsonb)
       )
       INSERT INTO audit_logs (${AUDIT_COLUMNS}) VALUES ($10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
      [
        start.id,
        start.tenantId,
        start.invitationId,
        start.testId,
        start.testVersionId,
        start.applicantEmail,
        start.startedAt,
        start.deadline,
        JSON.stringify(start.event),
        ...start.audit,
      ],
    );
  }

  /**
   * The end of an attempt as one statement: one scored answer row per question of its version (a saved one is
   * replaced), the attempt's status, scores and response, the invitation `completed`, the event and the audit row
   * (`audit`: the values of AUDIT_COLUMNS). The caller holds the invitation's row lock.
   */
  async finish(
    ctx: RequestContext,
    end: {
      tenantId: string;
      attemptId: string;
      invitationId: string;
      answers: AnswerWrite[];
      attempt: Pick<
        TestAttemptEntity,
        | 'status'
        | 'auto_score'
        | 'manual_score'
        | 'final_score'
        | 'scoring_status'
        | 'passed'
        | 'idempotency_key'
        | 'submit_response'
      >;
      at: Date;
      event: { type: string; data: object; actorUserId: string | null };
      audit: unknown[];
    },
  ): Promise<void> {
    const { attempt } = end;
    await this.db.prepared(
      ctx,
      'attempt-finish',
      `WITH answers AS (
         INSERT INTO attempt_answers (tenant_id, attempt_id, question_id, answer, saved_at, is_correct, auto_points,
                                      manual_score_status)
         SELECT $1::uuid, $2::uuid, a.question_id, a.answer, a.saved_at, a.is_correct, a.auto_points,
                a.manual_score_status
           FROM jsonb_to_recordset($3::jsonb) AS a(question_id uuid, answer jsonb, saved_at timestamptz,
                                                    is_correct boolean, auto_points numeric, manual_score_status text)
         ON CONFLICT (attempt_id, question_id) DO UPDATE
            SET answer = excluded.answer, saved_at = excluded.saved_at, is_correct = excluded.is_correct,
                auto_points = excluded.auto_points, manual_score_status = excluded.manual_score_status
       ), attempt AS (
         UPDATE test_attempts
            SET status = $4, submitted_at = $5, auto_score = $6, manual_score = $7, final_score = $8,
                scoring_status = $9, passed = $10, idempotency_key = $11, submit_response = $12::jsonb, updated_at = $5
          WHERE id = $2 AND tenant_id = $1
       ), invitation AS (
         UPDATE invitations SET status = 'completed', completed_at = $5, updated_at = $5
          WHERE id = $13 AND tenant_id = $1
       ), event AS (
         INSERT INTO attempt_events (tenant_id, attempt_id, invitation_id, type, data, actor_user_id)
         VALUES ($1, $2, $13, $4, $14::jsonb, $15)
       )
       INSERT INTO audit_logs (${AUDIT_COLUMNS}) VALUES ($16, $17, $18, $19, $20, $21, $22, $23, $24, $25)`,
      [
        end.tenantId,
        end.attemptId,
        JSON.stringify(
          end.answers.map((a) => ({
            question_id: a.question_id,
            answer: a.answer,
            saved_at: a.saved_at,
            is_correct: a.is_correct ?? null,
            auto_points: a.auto_points ?? null,
            manual_score_status: a.manual_score_status ?? null,
          })),
        ),
        attempt.status,
        end.at,
        attempt.auto_score,
        attempt.manual_score,
        attempt.final_score,
        attempt.scoring_status,
        attempt.passed,
        attempt.idempotency_key,
        attempt.submit_response === null ? null : JSON.stringify(attempt.submit_response),
        end.invitationId,
        JSON.stringify(end.event.data),
        end.event.actorUserId,
        ...end.audit,
      ],
    );
  }

  /**
   * Attempts with what the live view shows, counts of flags and integrity events included, in one statement.
   * Row-level security scopes it to the unit's tenant; `tenantId` narrows a superadmin's.
   */
  async liveSessions(
    ctx: RequestContext,
    filter: { inviteId?: string; tenantId?: string; inProgressOnly?: boolean },
  ): Promise<LiveSessionRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.inviteId) where.push(`a.invitation_id = $${params.push(filter.inviteId)}`);
    if (filter.tenantId) where.push(`a.tenant_id = $${params.push(filter.tenantId)}`);
    if (filter.inProgressOnly) where.push(`a.status = 'in_progress'`);
    const rows: LiveSessionRow[] = await this.db.manager(ctx).query(
      `SELECT a.invitation_id AS invite_id, a.id AS attempt_id, a.tenant_id, a.test_id, v.title AS test_title,
              i.applicant_name, i.applicant_email, a.started_at, a.deadline, a.status,
              (SELECT count(*)::int FROM attempt_events e
                WHERE e.invitation_id = a.invitation_id AND e.type = 'proctor.flag') AS flags,
              (SELECT count(*)::int FROM attempt_events e
                WHERE e.invitation_id = a.invitation_id AND e.type LIKE 'integrity.%') AS integrity_events
         FROM test_attempts a
         JOIN invitations i ON i.id = a.invitation_id
         JOIN test_versions v ON v.id = a.test_version_id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY a.started_at, a.id
        LIMIT 1000`,
      params,
    );
    return rows;
  }

  /**
   * Appends an event to the log of the attempt of `where` (an invitation, or an attempt by id) in one statement;
   * with `inProgressOnly` nothing is written unless the attempt is still running. Null when nothing was written.
   */
  async appendAttemptEvent(
    ctx: RequestContext,
    where: { inviteId: string } | { attemptId: string },
    event: { type: string; data: object; actorUserId: string | null; inProgressOnly: boolean },
  ): Promise<LoggedEvent | null> {
    const by = 'inviteId' in where ? 'a.invitation_id = $1' : 'a.id = $1';
    const rows: LoggedEvent[] = await this.db.manager(ctx).query(
      `INSERT INTO attempt_events (tenant_id, attempt_id, invitation_id, type, data, actor_user_id)
       SELECT a.tenant_id, a.id, a.invitation_id, $2, $3::jsonb, $4
         FROM test_attempts a
        WHERE ${by}${event.inProgressOnly ? ` AND a.status = 'in_progress'` : ''}
       RETURNING id, tenant_id, attempt_id, invitation_id`,
      [
        'inviteId' in where ? where.inviteId : where.attemptId,
        event.type,
        JSON.stringify(event.data),
        event.actorUserId,
      ],
    );
    return rows[0] ?? null;
  }

  /** The status of each attempt named (every tenant: the caller opened a cross-tenant unit for a stated reason). */
  async statuses(ctx: RequestContext, ids: readonly string[]): Promise<Map<string, string>> {
    const rows: { id: string; status: string }[] = await this.db
      .manager(ctx)
      .query(`SELECT id, status FROM test_attempts WHERE id = ANY($1::uuid[])`, [ids]);
    return new Map(rows.map((row) => [row.id, row.status]));
  }
}
