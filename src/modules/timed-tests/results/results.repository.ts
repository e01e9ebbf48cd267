import { Injectable } from '@nestjs/common';
import { SelectQueryBuilder } from 'typeorm';
import { AuthenticatedContext } from '../../../common/context/request-context';
import { DatabaseService } from '../../../database/database.service';
import { callerScope, TenantScopedRepository } from '../../../database/tenant-scoped';
import { AttemptAnswerEntity } from '../entities/attempt-answer.entity';
import { AttemptEventEntity } from '../entities/attempt-event.entity';
import { InvitationEntity } from '../entities/invitation.entity';
import { QuestionEntity } from '../entities/question.entity';
import { TestAttemptEntity } from '../entities/test-attempt.entity';
import { TestVersionEntity } from '../entities/test-version.entity';

/** A result row as the list, detail and export read it (one query: attempt + invitation + version taken). */
export interface ResultRow {
  id: string;
  tenant_id: string;
  invitation_id: string;
  test_id: string;
  test_version_id: string;
  test_version: number;
  applicant_name: string;
  applicant_email: string;
  test_title: string;
  test_description: string;
  test_duration_minutes: number;
  pass_mark_percent: string | null;
  auto_score: string | null;
  manual_score: string | null;
  final_score: string | null;
  scoring_status: TestAttemptEntity['scoring_status'];
  passed: boolean | null;
  status: TestAttemptEntity['status'];
  started_at: Date;
  submitted_at: Date | null;
  is_monitored: boolean;
  reviewed_by: string | null;
  review_completed_at: Date | null;
  invite_status: InvitationEntity['status'];
}

/** One question of the version taken, with the attempt's answer to it if any. */
export interface AnswerRow {
  answer_id: string | null;
  question_id: string;
  position: number;
  question: string;
  question_type: QuestionEntity['type'];
  options: string[] | null;
  expected_language: string | null;
  correct_answer: string | null;
  correct_answers: string[] | null;
  points: number;
  answer: string | string[] | null;
  is_correct: boolean | null;
  auto_points: string | null;
  manual_score: string | null;
  manual_score_status: AttemptAnswerEntity['manual_score_status'];
  review_comments: string | null;
  reviewed_at: Date | null;
}

export interface ReviewQueueRow extends ResultRow {
  total_answers: number;
  manual_questions: number;
  pending_reviews: number;
}

export interface ResultFilters {
  testId?: string;
  /** inclusive */
  from?: Date;
  /** exclusive */
  until?: Date;
}

const RESULT_COLUMNS = [
  'a.id AS id',
  'a.tenant_id AS tenant_id',
  'a.invitation_id AS invitation_id',
  'a.test_id AS test_id',
  'a.test_version_id AS test_version_id',
  'v.version AS test_version',
  'i.applicant_name AS applicant_name',
  'a.applicant_email AS applicant_email',
  'v.title AS test_title',
  'v.description AS test_description',
  'v.duration_minutes AS test_duration_minutes',
  'v.pass_mark_percent AS pass_mark_percent',
  'a.auto_score AS auto_score',
  'a.manual_score AS manual_score',
  'a.final_score AS final_score',
  'a.scoring_status AS scoring_status',
  'a.passed AS passed',
  'a.status AS status',
  'a.started_at AS started_at',
  'a.submitted_at AS submitted_at',
  'a.is_monitored AS is_monitored',
  'a.reviewed_by AS reviewed_by',
  'a.review_completed_at AS review_completed_at',
  'i.status AS invite_status',
];

/**
 * Reads of results: attempts joined with their invitation and the version they were taken on, so every list page,
 * export batch or detail is one query (no per-row lookups). Staff see their tenant (a superadmin every tenant).
 */
@Injectable()
export class ResultsRepository extends TenantScopedRepository<TestAttemptEntity> {
  constructor(db: DatabaseService) {
    super(db, TestAttemptEntity);
  }

  /** A page of submitted results, newest first, and the total (one query: the total rides on a window count). */
  async list(
    ctx: AuthenticatedContext,
    filters: ResultFilters,
    page: { skip: number; limit: number },
  ): Promise<[ResultRow[], number]> {
    const rows = await this.results(ctx, filters)
      .addSelect('count(*) OVER ()', 'total_count')
      .orderBy('a.submitted_at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .offset(page.skip)
      .limit(page.limit)
      .getRawMany<ResultRow & { total_count: string }>();
    // past the last page the window count has no row to ride on
    const total = rows.length > 0 ? Number(rows[0].total_count) : await this.results(ctx, filters).getCount();
    return [rows, total];
  }

  /**
   * The next export batch after `after` (keyset on submitted_at DESC, id DESC: stable however many rows are added
   * meanwhile, and no OFFSET scan).
   */
  batch(
    ctx: AuthenticatedContext,
    filters: ResultFilters,
    after: { cursor_at: string; id: string } | null,
    size: number,
  ): Promise<Array<ResultRow & { cursor_at: string }>> {
    // the cursor travels as text: a JS Date would drop the microseconds and skip rows
    const qb = this.results(ctx, filters).addSelect('a.submitted_at::text', 'cursor_at');
    if (after) {
      qb.andWhere('(a.submitted_at, a.id) < (CAST(:afterAt AS timestamptz), CAST(:afterId AS uuid))', {
        afterAt: after.cursor_at,
        afterId: after.id,
      });
    }
    return qb
      .orderBy('a.submitted_at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .limit(size)
      .getRawMany<ResultRow & { cursor_at: string }>();
  }

  /** One result (submitted or not) the caller may see; `lock` takes the attempt FOR UPDATE. */
  async findResult(ctx: AuthenticatedContext, id: string, lock = false): Promise<ResultRow | null> {
    const qb = this.joined(ctx).andWhere('a.id = :id', { id });
    if (lock) qb.setLock('pessimistic_write', undefined, ['a']);
    return (await qb.getRawOne<ResultRow>()) ?? null;
  }

  /** Whether the user watched the attempt live: a `proctor.watch` event of it as actor (docs/proctoring.md). */
  watchedBy(ctx: AuthenticatedContext, result: Pick<ResultRow, 'id' | 'tenant_id'>, userId: string): Promise<boolean> {
    return this.db.repo(ctx, AttemptEventEntity).existsBy({
      tenant_id: result.tenant_id,
      attempt_id: result.id,
      type: 'proctor.watch',
      actor_user_id: userId,
    });
  }

  /** Every question of the attempt's version, in order, left-joined with the attempt's answers. */
  answers(
    ctx: AuthenticatedContext,
    result: Pick<ResultRow, 'id' | 'tenant_id' | 'test_version_id'>,
  ): Promise<AnswerRow[]> {
    return this.db
      .repo(ctx, QuestionEntity)
      .createQueryBuilder('q')
      .leftJoin(AttemptAnswerEntity, 'aa', 'aa.question_id = q.id AND aa.attempt_id = :attemptId', {
        attemptId: result.id,
      })
      .select([
        'aa.id AS answer_id',
        'q.id AS question_id',
        'q.position AS position',
        'q.question AS question',
        'q.type AS question_type',
        'q.options AS options',
        'q.expected_language AS expected_language',
        'q.correct_answer AS correct_answer',
        'q.correct_answers AS correct_answers',
        'q.points AS points',
        'aa.answer AS answer',
        'aa.is_correct AS is_correct',
        'aa.auto_points AS auto_points',
        'aa.manual_score AS manual_score',
        'aa.manual_score_status AS manual_score_status',
        'aa.review_comments AS review_comments',
        'aa.reviewed_at AS reviewed_at',
      ])
      .where('q.test_version_id = :versionId AND q.tenant_id = :tenantId', {
        versionId: result.test_version_id,
        tenantId: result.tenant_id,
      })
      .orderBy('q.position', 'ASC')
      .getRawMany<AnswerRow>();
  }

  /** Attempts waiting for a reviewer, oldest submission first, with their review counts (one query). */
  async reviewQueue(
    ctx: AuthenticatedContext,
    page: { skip: number; limit: number },
  ): Promise<[ReviewQueueRow[], number]> {
    const manual = `q.test_version_id = a.test_version_id AND q.type IN ('essay', 'coding')`;
    const qb = this.joined(ctx)
      .andWhere(`a.status <> 'in_progress'`)
      .andWhere(`a.scoring_status IN ('needs_review', 'partially_reviewed')`);
    const rows = await qb
      .clone()
      .addSelect('(SELECT count(*) FROM attempt_answers x WHERE x.attempt_id = a.id)::int', 'total_answers')
      .addSelect(`(SELECT count(*) FROM questions q WHERE ${manual})::int`, 'manual_questions')
      .addSelect(
        `(SELECT count(*) FROM questions q LEFT JOIN attempt_answers x ON x.question_id = q.id AND x.attempt_id = a.id
           WHERE ${manual} AND x.manual_score IS NULL)::int`,
        'pending_reviews',
      )
      .addSelect('count(*) OVER ()', 'total_count')
      .orderBy('a.submitted_at', 'ASC')
      .addOrderBy('a.id', 'ASC')
      .offset(page.skip)
      .limit(page.limit)
      .getRawMany<ReviewQueueRow & { total_count: string }>();
    const total = rows.length > 0 ? Number(rows[0].total_count) : await qb.getCount();
    return [rows, total];
  }

  /**
   * A candidate's own submitted attempts (an attempt still running shows on its invitation instead): its tenant, its
   * invitations' e-mail (case-insensitively), newest first.
   */
  async mine(ctx: AuthenticatedContext, page: { skip: number; limit: number }): Promise<[ResultRow[], number]> {
    const qb = this.withJoins(this.query(ctx, 'a', { tenant_id: ctx.user.tenantId }))
      .andWhere('lower(i.applicant_email) = lower(:email)', { email: ctx.user.email })
      .andWhere(`a.status <> 'in_progress'`);
    const rows = await qb
      .clone()
      .addSelect('count(*) OVER ()', 'total_count')
      .orderBy('a.submitted_at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .offset(page.skip)
      .limit(page.limit)
      .getRawMany<ResultRow & { total_count: string }>();
    return [rows, rows.length > 0 ? Number(rows[0].total_count) : await qb.getCount()];
  }

  private results(ctx: AuthenticatedContext, filters: ResultFilters): SelectQueryBuilder<TestAttemptEntity> {
    const qb = this.joined(ctx).andWhere(`a.status <> 'in_progress'`);
    if (filters.testId) qb.andWhere('a.test_id = :testId', { testId: filters.testId });
    if (filters.from) qb.andWhere('a.submitted_at >= :from', { from: filters.from });
    if (filters.until) qb.andWhere('a.submitted_at < :until', { until: filters.until });
    return qb;
  }

  private joined(ctx: AuthenticatedContext): SelectQueryBuilder<TestAttemptEntity> {
    return this.withJoins(this.query(ctx, 'a', callerScope(ctx, {})));
  }

  private withJoins(qb: SelectQueryBuilder<TestAttemptEntity>): SelectQueryBuilder<TestAttemptEntity> {
    return qb
      .innerJoin(InvitationEntity, 'i', 'i.id = a.invitation_id AND i.tenant_id = a.tenant_id')
      .innerJoin(TestVersionEntity, 'v', 'v.id = a.test_version_id AND v.tenant_id = a.tenant_id')
      .select(RESULT_COLUMNS);
  }
}
