import { Injectable } from '@nestjs/common';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Clock } from '../../../common/clock/clock';
import { AuthenticatedContext } from '../../../common/context/request-context';
import { Page, PaginationQueryDto } from '../../../common/http/pagination';
import { DatabaseService } from '../../../database/database.service';
import { AuditService } from '../../audit/audit.service';
import { AttemptAnswerEntity, ManualScoreStatus } from '../entities/attempt-answer.entity';
import { AttemptEventEntity } from '../entities/attempt-event.entity';
import { TestAttemptEntity } from '../entities/test-attempt.entity';
import { attemptScores, AttemptScores, isManuallyScored } from '../scoring';
import {
  AdminScoreAnswerResponse,
  AdminScoringResponse,
  ResultDetailResponse,
  ReviewQueueItem,
} from './dto/result.response';
import { toAdminScoring, toResultDetail, toReviewQueueItem } from './result.view';
import {
  ANSWER_NOT_FOUND,
  ANSWER_NOT_REVIEWABLE,
  ATTEMPT_NOT_SUBMITTED,
  RESULT_NOT_FOUND,
  REVIEW_SCORE_OUT_OF_RANGE,
} from './results.errors';
import { AnswerRow, ResultRow, ResultsRepository } from './results.repository';

/** What the reviewer decided for one answer. */
export interface AnswerReview {
  score: number;
  comment: string | null;
}

/** 0 → wrong, all the points → correct, anything between → partial. */
export function reviewStatus(score: number, points: number): ManualScoreStatus {
  if (score === points) return 'correct';
  return score === 0 ? 'wrong' : 'partial';
}

const num = (value: string | null): number | null => (value === null ? null : Number(value));

/**
 * Manual review of essay and coding answers (README "Scoring"). Each score is checked against the question's points,
 * then the attempt's scores are recomputed from all its answers with the same functions as at submit, under a row
 * lock on the attempt so two reviewers of one attempt cannot lose each other's points.
 */
@Injectable()
export class ReviewService {
  constructor(
    private readonly db: DatabaseService,
    private readonly results: ResultsRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async queue(ctx: AuthenticatedContext, page: PaginationQueryDto): Promise<Page<ReviewQueueItem>> {
    const [rows, total] = await this.db.transaction(ctx, (tx) => this.results.reviewQueue(tx, page));
    return { items: rows.map(toReviewQueueItem), total };
  }

  /** `GET /api/admin/scoring/{id}` (the original Pre-Interview Test API's shape). */
  async scoringDetail(ctx: AuthenticatedContext, id: string): Promise<AdminScoringResponse> {
    return this.db.transaction(ctx, async (tx) => {
      const result = await this.results.findResult(tx, id);
      if (!result || result.status === 'in_progress') throw RESULT_NOT_FOUND();
      return toAdminScoring(result, await this.results.answers(tx, result));
    });
  }

  async score(
    ctx: AuthenticatedContext,
    attemptId: string,
    answerId: string,
    review: AnswerReview,
  ): Promise<ResultDetailResponse> {
    const { result, answers } = await this.applyReview(ctx, attemptId, answerId, review);
    return toResultDetail(result, answers);
  }

  /** The original Pre-Interview Test API's `POST /api/admin/scoring/{sid}/answer/{aid}`. */
  async scoreAsSeed(
    ctx: AuthenticatedContext,
    attemptId: string,
    answerId: string,
    review: AnswerReview,
  ): Promise<AdminScoreAnswerResponse> {
    const { result, answers } = await this.applyReview(ctx, attemptId, answerId, review);
    return { message: 'Answer scored successfully', ...toAdminScoring(result, answers) };
  }

  /**
   * Scores one essay/coding answer. `answerId` is the answer's id — or, for a question left unanswered, that
   * question's id (then an answer row with a null answer is created to hold the review). Returns the result as left.
   */
  private async applyReview(
    ctx: AuthenticatedContext,
    attemptId: string,
    answerId: string,
    review: AnswerReview,
  ): Promise<{ result: ResultRow; answers: AnswerRow[] }> {
    return this.db.transaction(ctx, async (tx) => {
      const result = await this.results.findResult(tx, attemptId, true);
      if (!result) throw RESULT_NOT_FOUND();
      if (result.status === 'in_progress') throw ATTEMPT_NOT_SUBMITTED();
      const answers = await this.results.answers(tx, result);
      const target = reviewTarget(answers, answerId);
      if (review.score > target.points) throw REVIEW_SCORE_OUT_OF_RANGE(target.points);

      const now = this.clock.now();
      const status = reviewStatus(review.score, target.points);
      const savedId = await this.saveAnswerReview(tx, result, target, review, status, now);
      const scores = rescore(answers, target, review.score, num(result.pass_mark_percent));
      await this.saveScores(tx, result, scores, now);
      const event = {
        answer_id: savedId,
        question_id: target.question_id,
        score: review.score,
        previous_score: num(target.manual_score),
        manual_score_status: status,
        scoring_status: scores.scoring_status,
        final_score: scores.final_score,
      };
      await this.record(tx, result, target, event, { comment: review.comment, passed: scores.passed });
      const after = await this.results.findResult(tx, result.id);
      return { result: after!, answers: await this.results.answers(tx, result) };
    });
  }

  /** Writes the review on the answer row (made, with a null answer, for a question left unanswered); its id. */
  private async saveAnswerReview(
    tx: AuthenticatedContext,
    result: ResultRow,
    target: AnswerRow,
    review: AnswerReview,
    status: ManualScoreStatus,
    now: Date,
  ): Promise<string> {
    const fields = {
      manual_score: String(review.score),
      manual_score_status: status,
      reviewer_id: tx.user.id,
      review_comments: review.comment,
      reviewed_at: now,
    };
    if (target.answer_id !== null) {
      await this.db.repo(tx, AttemptAnswerEntity).update({ id: target.answer_id, tenant_id: result.tenant_id }, fields);
      return target.answer_id;
    }
    const { identifiers } = await this.db.repo(tx, AttemptAnswerEntity).insert({
      tenant_id: result.tenant_id,
      attempt_id: result.id,
      question_id: target.question_id,
      answer: () => `'null'::jsonb`,
      ...fields,
    } as QueryDeepPartialEntity<AttemptAnswerEntity>);
    return identifiers[0].id as string;
  }

  private async saveScores(tx: AuthenticatedContext, result: ResultRow, scores: AttemptScores, now: Date) {
    const decimal = (value: number | null) => (value === null ? null : String(value));
    await this.db.repo(tx, TestAttemptEntity).update(
      { id: result.id, tenant_id: result.tenant_id },
      {
        auto_score: decimal(scores.auto_score),
        manual_score: decimal(scores.manual_score),
        final_score: decimal(scores.final_score),
        scoring_status: scores.scoring_status,
        passed: scores.passed,
        reviewed_by: tx.user.id,
        // the first time the attempt became fully reviewed; cleared if it is not (any more)
        review_completed_at: scores.scoring_status === 'fully_reviewed' ? (result.review_completed_at ?? now) : null,
        updated_at: now,
      },
    );
  }

  /** The attempt's append-only log and the audit trail. */
  private async record(
    tx: AuthenticatedContext,
    result: ResultRow,
    target: AnswerRow,
    event: Record<string, unknown> & { answer_id: string },
    extra: { comment: string | null; passed: boolean | null },
  ): Promise<void> {
    await this.db.repo(tx, AttemptEventEntity).insert({
      tenant_id: result.tenant_id,
      attempt_id: result.id,
      invitation_id: result.invitation_id,
      type: 'answer_reviewed',
      data: event,
      actor_user_id: tx.user.id,
    } as QueryDeepPartialEntity<AttemptEventEntity>);
    await this.audit.record(tx, {
      action: 'result.review',
      resourceType: 'test_attempt',
      resourceId: result.id,
      tenantId: result.tenant_id,
      oldValues: {
        answer_id: event.answer_id,
        manual_score: num(target.manual_score),
        manual_score_status: target.manual_score_status,
        final_score: num(result.final_score),
        scoring_status: result.scoring_status,
      },
      newValues: { ...event, ...extra },
    });
  }
}

/** The answer (or unanswered question) a review is about: essay and coding only. */
function reviewTarget(answers: readonly AnswerRow[], answerId: string): AnswerRow {
  const target =
    answers.find((a) => a.answer_id === answerId) ??
    answers.find((a) => a.answer_id === null && a.question_id === answerId);
  if (!target) throw ANSWER_NOT_FOUND();
  if (!isManuallyScored(target.question_type)) throw ANSWER_NOT_REVIEWABLE();
  return target;
}

/** The attempt's scores with the new review in place, from every question of its version. */
function rescore(
  answers: readonly AnswerRow[],
  target: AnswerRow,
  score: number,
  passMark: number | null,
): AttemptScores {
  return attemptScores(
    answers.map((a) => ({
      id: a.question_id,
      type: a.question_type,
      points: a.points,
      correct_answer: a.correct_answer,
      correct_answers: a.correct_answers,
    })),
    // an unanswered question reads as no answer: 0 points, or pending review
    answers.map((a) => ({
      question_id: a.question_id,
      auto_points: num(a.auto_points),
      manual_score: a === target ? score : num(a.manual_score),
    })),
    passMark,
  );
}
