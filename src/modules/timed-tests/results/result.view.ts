import type { AnswerRow, ResultRow, ReviewQueueRow } from './results.repository';
import type {
  AdminScoringResponse,
  AdminScoringSubmission,
  MySubmissionResponse,
  ResultAnswerResponse,
  ResultDetailResponse,
  ResultResponse,
  ReviewQueueItem,
} from './dto/result.response';

/** pg returns numeric columns as strings. */
const num = (value: string | number | null): number | null => (value === null ? null : Number(value));
const iso = (value: Date | null): string | null => (value === null ? null : new Date(value).toISOString());

export function toResultResponse(r: ResultRow): ResultResponse {
  return {
    submission_id: r.id,
    id: r.id,
    tenant_id: r.tenant_id,
    invite_id: r.invitation_id,
    test_id: r.test_id,
    test_version: r.test_version,
    applicant_name: r.applicant_name,
    applicant_email: r.applicant_email,
    test_title: r.test_title,
    test_duration_minutes: r.test_duration_minutes,
    pass_mark_percent: num(r.pass_mark_percent),
    score: num(r.final_score),
    auto_score: num(r.auto_score),
    manual_score: num(r.manual_score),
    final_score: num(r.final_score),
    scoring_status: r.scoring_status,
    passed: r.passed,
    status: r.status,
    started_at: iso(r.started_at)!,
    submitted_at: iso(r.submitted_at),
    is_monitored: r.is_monitored,
    reviewed_by: r.reviewed_by,
    review_completed_at: iso(r.review_completed_at),
  };
}

export function toResultAnswer(a: AnswerRow): ResultAnswerResponse {
  return {
    id: a.answer_id,
    question_id: a.question_id,
    position: a.position,
    question: a.question,
    question_type: a.question_type,
    options: a.options,
    expected_language: a.expected_language,
    answer: a.answer ?? null,
    correct_answer: a.correct_answer,
    correct_answers: a.correct_answers,
    points: a.points,
    is_correct: a.is_correct,
    auto_points: num(a.auto_points),
    manual_score: num(a.manual_score),
    manual_score_status: a.manual_score_status,
    review_comments: a.review_comments,
    reviewed_at: iso(a.reviewed_at),
  };
}

export function toResultDetail(r: ResultRow, answers: readonly AnswerRow[]): ResultDetailResponse {
  return { ...toResultResponse(r), answers: answers.map(toResultAnswer) };
}

export function toReviewQueueItem(r: ReviewQueueRow): ReviewQueueItem {
  return {
    submission_id: r.id,
    id: r.id,
    test_id: r.test_id,
    test_title: r.test_title,
    applicant_name: r.applicant_name,
    applicant_email: r.applicant_email,
    submitted_at: iso(r.submitted_at)!,
    scoring_status: r.scoring_status!,
    total_answers: r.total_answers,
    manual_questions: r.manual_questions,
    pending_reviews: r.pending_reviews,
  };
}

/** What a candidate sees of its own attempt: scores, the invitation and the test header — no answers, no keys. */
export function toMySubmission(r: ResultRow): MySubmissionResponse {
  return {
    submission_id: r.id,
    id: r.id,
    invite_id: r.invitation_id,
    invite_status: r.invite_status,
    test_id: r.test_id,
    test_title: r.test_title,
    test_description: r.test_description,
    test_duration_minutes: r.test_duration_minutes,
    applicant_email: r.applicant_email,
    status: r.status,
    started_at: iso(r.started_at)!,
    submitted_at: iso(r.submitted_at),
    score: num(r.final_score),
    auto_score: num(r.auto_score),
    manual_score: num(r.manual_score),
    final_score: num(r.final_score),
    scoring_status: r.scoring_status,
    passed: r.passed,
  };
}

export function toAdminScoring(r: ResultRow, answers: readonly AnswerRow[]): AdminScoringResponse {
  return { submission: toAdminScoringSubmission(r), answers: answers.map(toResultAnswer) };
}

function toAdminScoringSubmission(r: ResultRow): AdminScoringSubmission {
  return {
    id: r.id,
    applicant_email: r.applicant_email,
    applicant_name: r.applicant_name,
    test_title: r.test_title,
    test_description: r.test_description,
    submitted_at: iso(r.submitted_at),
    auto_score: num(r.auto_score),
    manual_score: num(r.manual_score),
    final_score: num(r.final_score),
    scoring_status: r.scoring_status,
    passed: r.passed,
  };
}

/** A CSV cell: quoted when needed, and a leading = + - @ tab or CR neutralised with ' (spreadsheet formula injection). */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const CSV_COLUMNS: ReadonlyArray<keyof ResultResponse> = [
  'submission_id',
  'test_id',
  'test_version',
  'test_title',
  'applicant_name',
  'applicant_email',
  'status',
  'started_at',
  'submitted_at',
  'auto_score',
  'manual_score',
  'final_score',
  'scoring_status',
  'pass_mark_percent',
  'passed',
  'is_monitored',
];

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
