import { ApiProperty } from '@nestjs/swagger';
import { QUESTION_TYPES, QuestionType } from '../../entities/question.entity';
import { ATTEMPT_STATUSES, AttemptStatus, SCORING_STATUSES, ScoringStatus } from '../../entities/test-attempt.entity';
import { MANUAL_SCORE_STATUSES, ManualScoreStatus } from '../../entities/attempt-answer.entity';

/** One submitted attempt (the original Pre-Interview Test API's "submission"; its id is the result id). */
export class ResultResponse {
  @ApiProperty({ format: 'uuid', description: 'The attempt id (same as id)' }) submission_id: string;
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) tenant_id: string;
  @ApiProperty({ format: 'uuid' }) invite_id: string;
  @ApiProperty({ format: 'uuid' }) test_id: string;
  @ApiProperty({ description: 'The test version the attempt was taken on' }) test_version: number;
  @ApiProperty() applicant_name: string;
  @ApiProperty() applicant_email: string;
  @ApiProperty({ description: 'Title of the version taken' }) test_title: string;
  @ApiProperty() test_duration_minutes: number;
  @ApiProperty({ type: Number, nullable: true }) pass_mark_percent: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'final_score (null until every answer is scored)' })
  score: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Percent of the auto-scored points earned' })
  auto_score: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Reviewed points so far' }) manual_score: number | null;
  @ApiProperty({ type: Number, nullable: true }) final_score: number | null;
  @ApiProperty({ enum: SCORING_STATUSES, nullable: true }) scoring_status: ScoringStatus | null;
  @ApiProperty({ type: Boolean, nullable: true, description: 'null without a pass mark or a final score' })
  passed: boolean | null;
  @ApiProperty({ enum: ATTEMPT_STATUSES }) status: AttemptStatus;
  @ApiProperty({ format: 'date-time' }) started_at: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) submitted_at: string | null;
  @ApiProperty() is_monitored: boolean;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) reviewed_by: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) review_completed_at: string | null;
}

export class ResultAnswerResponse {
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'null: the question was not answered' })
  id: string | null;
  @ApiProperty({ format: 'uuid' }) question_id: string;
  @ApiProperty() position: number;
  @ApiProperty() question: string;
  @ApiProperty({ enum: QUESTION_TYPES }) question_type: QuestionType;
  @ApiProperty({ type: [String], nullable: true }) options: string[] | null;
  @ApiProperty({ type: String, nullable: true }) expected_language: string | null;
  @ApiProperty({
    nullable: true,
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    description: 'A string, a list (multi_select), or null when unanswered',
  })
  answer: string | string[] | null;
  @ApiProperty({ type: String, nullable: true }) correct_answer: string | null;
  @ApiProperty({ type: [String], nullable: true }) correct_answers: string[] | null;
  @ApiProperty() points: number;
  @ApiProperty({ type: Boolean, nullable: true }) is_correct: boolean | null;
  @ApiProperty({ type: Number, nullable: true }) auto_points: number | null;
  @ApiProperty({ type: Number, nullable: true }) manual_score: number | null;
  @ApiProperty({ enum: MANUAL_SCORE_STATUSES, nullable: true }) manual_score_status: ManualScoreStatus | null;
  @ApiProperty({ type: String, nullable: true }) review_comments: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) reviewed_at: string | null;
}

export class ResultDetailResponse extends ResultResponse {
  @ApiProperty({ type: [ResultAnswerResponse], description: 'Every question of the version taken, in order' })
  answers: ResultAnswerResponse[];
}

export class ResultsPagination {
  @ApiProperty() page: number;
  @ApiProperty() limit: number;
  @ApiProperty() total: number;
  @ApiProperty() total_pages: number;
  @ApiProperty() has_next: boolean;
  @ApiProperty() has_prev: boolean;
}

/** `GET /api/results?page=…`: the original Pre-Interview Test API's envelope. */
export class ResultsEnvelope {
  @ApiProperty({ type: [ResultResponse] }) results: ResultResponse[];
  @ApiProperty({ type: ResultsPagination }) pagination: ResultsPagination;
}

export class ReviewQueueItem {
  @ApiProperty({ format: 'uuid' }) submission_id: string;
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) test_id: string;
  @ApiProperty() test_title: string;
  @ApiProperty() applicant_name: string;
  @ApiProperty() applicant_email: string;
  @ApiProperty({ format: 'date-time' }) submitted_at: string;
  @ApiProperty({ enum: ['needs_review', 'partially_reviewed'] }) scoring_status: ScoringStatus;
  @ApiProperty({ description: 'Answers given' }) total_answers: number;
  @ApiProperty({ description: 'Essay and coding questions of the version taken' }) manual_questions: number;
  @ApiProperty({ description: 'Of those, not reviewed yet' }) pending_reviews: number;
}

export class ScoringQueueEnvelope {
  @ApiProperty({ type: [ReviewQueueItem] }) submissions: ReviewQueueItem[];
}

/** A candidate's own result: scores and the invitation, never answer keys. */
export class MySubmissionResponse {
  @ApiProperty({ format: 'uuid' }) submission_id: string;
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) invite_id: string;
  @ApiProperty() invite_status: string;
  @ApiProperty({ format: 'uuid' }) test_id: string;
  @ApiProperty() test_title: string;
  @ApiProperty() test_description: string;
  @ApiProperty() test_duration_minutes: number;
  @ApiProperty() applicant_email: string;
  @ApiProperty({ enum: ATTEMPT_STATUSES }) status: AttemptStatus;
  @ApiProperty({ format: 'date-time' }) started_at: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) submitted_at: string | null;
  @ApiProperty({ type: Number, nullable: true }) score: number | null;
  @ApiProperty({ type: Number, nullable: true }) auto_score: number | null;
  @ApiProperty({ type: Number, nullable: true }) manual_score: number | null;
  @ApiProperty({ type: Number, nullable: true }) final_score: number | null;
  @ApiProperty({ enum: SCORING_STATUSES, nullable: true }) scoring_status: ScoringStatus | null;
  @ApiProperty({ type: Boolean, nullable: true }) passed: boolean | null;
}

export class AdminScoringSubmission {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() applicant_email: string;
  @ApiProperty() applicant_name: string;
  @ApiProperty() test_title: string;
  @ApiProperty() test_description: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) submitted_at: string | null;
  @ApiProperty({ type: Number, nullable: true }) auto_score: number | null;
  @ApiProperty({ type: Number, nullable: true }) manual_score: number | null;
  @ApiProperty({ type: Number, nullable: true }) final_score: number | null;
  @ApiProperty({ enum: SCORING_STATUSES, nullable: true }) scoring_status: ScoringStatus | null;
  @ApiProperty({ type: Boolean, nullable: true }) passed: boolean | null;
}

/** `GET /api/admin/scoring/{id}` (original Pre-Interview Test API). */
export class AdminScoringResponse {
  @ApiProperty({ type: AdminScoringSubmission }) submission: AdminScoringSubmission;
  @ApiProperty({ type: [ResultAnswerResponse] }) answers: ResultAnswerResponse[];
}

export class AdminScoreAnswerResponse extends AdminScoringResponse {
  @ApiProperty({ example: 'Answer scored successfully' }) message: string;
}
