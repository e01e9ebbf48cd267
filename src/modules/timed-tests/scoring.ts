import type { QuestionType } from './entities/question.entity';
import type { ScoringStatus } from './entities/test-attempt.entity';

/*
 * Scoring of timed tests (README "Scoring"). Pure functions: the submit path, the sweeper's auto-submit and the
 * manual review all score through here.
 *
 * - multiple_choice: the answer must equal the one correct option (exact string, after trimming both).
 * - multi_select: the set of chosen options must equal the set of correct options exactly (order and duplicates
 *   ignored); no partial credit.
 * - essay, coding: reviewed by staff (0..points each).
 * - auto_score = earned auto-scored points / auto-scored points × 100 (null when the test has no auto-scored points).
 * - final_score = (auto points + reviewed points) / all points × 100, once every manual answer is reviewed, else null.
 *   A test whose points are all 0 scores 100.
 * - passed: final_score ≥ pass mark, when the test has a pass mark and final_score is known; else null.
 * An unanswered essay/coding question still needs review (it can be given 0); an unanswered auto question earns 0.
 */

export type AnswerValue = string | string[];

export interface ScorableQuestion {
  id: string;
  type: QuestionType;
  points: number;
  correct_answer: string | null;
  correct_answers: string[] | null;
}

export function isManuallyScored(type: QuestionType): boolean {
  return type === 'essay' || type === 'coding';
}

export interface AutoScoredAnswer {
  /** null for a manually scored question */
  is_correct: boolean | null;
  /** points earned; null for a manually scored question */
  auto_points: number | null;
  /** 'pending' for a manually scored question, null otherwise */
  manual_score_status: 'pending' | null;
}

/** Scores one answer the moment the attempt is submitted. */
export function autoScoreAnswer(question: ScorableQuestion, answer: AnswerValue | undefined): AutoScoredAnswer {
  if (isManuallyScored(question.type)) return { is_correct: null, auto_points: null, manual_score_status: 'pending' };
  const correct = isCorrect(question, answer);
  return { is_correct: correct, auto_points: correct ? question.points : 0, manual_score_status: null };
}

function isCorrect(question: ScorableQuestion, answer: AnswerValue | undefined): boolean {
  if (question.type === 'multiple_choice') {
    return (
      typeof answer === 'string' && question.correct_answer !== null && answer.trim() === question.correct_answer.trim()
    );
  }
  if (!Array.isArray(answer) || !question.correct_answers) return false;
  // a malformed list (non-strings) is simply wrong, never a crash
  if (!answer.every((a) => typeof a === 'string')) return false;
  const chosen = new Set(answer.map((a) => a.trim()));
  const expected = new Set(question.correct_answers.map((a) => a.trim()));
  return chosen.size === expected.size && [...expected].every((a) => chosen.has(a));
}

export interface ScoredAnswerState {
  question_id: string;
  auto_points: number | null;
  /** null until reviewed (manual questions only) */
  manual_score: number | null;
}

export interface AttemptScores {
  auto_score: number | null;
  /** the sum of reviewed points so far; null until a manual answer is reviewed */
  manual_score: number | null;
  final_score: number | null;
  /** the original Pre-Interview Test API's `score`: the final score, null until known */
  score: number | null;
  scoring_status: ScoringStatus;
  needs_manual_review: boolean;
  passed: boolean | null;
}

/** The attempt's scores from its questions and the current state of each answer (missing answers count as 0 / pending). */
export function attemptScores(
  questions: readonly ScorableQuestion[],
  answers: readonly ScoredAnswerState[],
  passMarkPercent: number | null,
): AttemptScores {
  const byQuestion = new Map(answers.map((a) => [a.question_id, a]));
  let autoTotal = 0;
  let autoEarned = 0;
  let manualTotal = 0;
  let manualEarned = 0;
  let manualCount = 0;
  let reviewed = 0;
  for (const q of questions) {
    const a = byQuestion.get(q.id);
    if (isManuallyScored(q.type)) {
      manualTotal += q.points;
      manualCount += 1;
      if (a?.manual_score !== null && a?.manual_score !== undefined) {
        reviewed += 1;
        manualEarned += a.manual_score;
      }
    } else {
      autoTotal += q.points;
      autoEarned += a?.auto_points ?? 0;
    }
  }
  const auto_score = autoTotal > 0 ? round2((autoEarned / autoTotal) * 100) : null;
  const scoring_status: ScoringStatus =
    manualCount === 0
      ? 'auto_only'
      : reviewed === 0
        ? 'needs_review'
        : reviewed < manualCount
          ? 'partially_reviewed'
          : 'fully_reviewed';
  const complete = scoring_status === 'auto_only' || scoring_status === 'fully_reviewed';
  const allPoints = autoTotal + manualTotal;
  const final_score = complete ? (allPoints > 0 ? round2(((autoEarned + manualEarned) / allPoints) * 100) : 100) : null;
  return {
    auto_score,
    manual_score: reviewed > 0 ? round2(manualEarned) : null,
    final_score,
    score: final_score,
    scoring_status,
    needs_manual_review: !complete,
    passed: final_score !== null && passMarkPercent !== null ? final_score >= passMarkPercent : null,
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
