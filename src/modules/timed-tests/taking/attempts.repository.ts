import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../../common/context/request-context';
import { DatabaseService } from '../../../database/database.service';
import { TenantScopedRepository, unscoped } from '../../../database/tenant-scoped';
import { AttemptAnswerEntity } from '../entities/attempt-answer.entity';
import { AttemptEventEntity } from '../entities/attempt-event.entity';
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

  async insert(ctx: RequestContext, row: Partial<TestAttemptEntity>): Promise<TestAttemptEntity> {
    const repo = this.repo(ctx);
    return repo.save(repo.create(row));
  }

  async update(ctx: RequestContext, id: string, changes: Partial<TestAttemptEntity>): Promise<void> {
    await this.repo(ctx).update(id, changes as never);
  }

  savedAnswers(ctx: RequestContext, tenantId: string, attemptId: string): Promise<AttemptAnswerEntity[]> {
    return this.db.repo(ctx, AttemptAnswerEntity).find({
      where: { tenant_id: tenantId, attempt_id: attemptId },
      order: { saved_at: 'ASC' },
    });
  }

  /** One row per (attempt, question): a later save replaces the answer (and its scoring, when given). */
  async upsertAnswers(ctx: RequestContext, tenantId: string, attemptId: string, answers: AnswerWrite[]): Promise<void> {
    if (answers.length === 0) return;
    const scored = answers.some((a) => a.is_correct !== undefined || a.manual_score_status !== undefined);
    const columns = scored
      ? ['answer', 'saved_at', 'is_correct', 'auto_points', 'manual_score_status']
      : ['answer', 'saved_at'];
    await this.db
      .manager(ctx)
      .createQueryBuilder()
      .insert()
      .into(AttemptAnswerEntity)
      .values(
        answers.map((a) => ({
          tenant_id: tenantId,
          attempt_id: attemptId,
          question_id: a.question_id,
          answer: a.answer as never,
          saved_at: a.saved_at,
          ...(scored
            ? {
                is_correct: a.is_correct ?? null,
                auto_points: a.auto_points === null || a.auto_points === undefined ? null : String(a.auto_points),
                manual_score_status: a.manual_score_status ?? null,
              }
            : {}),
        })),
      )
      .orUpdate(columns, ['attempt_id', 'question_id'])
      .updateEntity(false)
      .execute();
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

  async appendEvent(
    ctx: RequestContext,
    event: {
      tenantId: string;
      attemptId: string | null;
      invitationId: string;
      type: string;
      data?: object;
      actorUserId?: string | null;
    },
  ): Promise<void> {
    await this.db.repo(ctx, AttemptEventEntity).insert({
      tenant_id: event.tenantId,
      attempt_id: event.attemptId,
      invitation_id: event.invitationId,
      type: event.type,
      data: (event.data ?? {}) as never,
      actor_user_id: event.actorUserId ?? null,
    });
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
