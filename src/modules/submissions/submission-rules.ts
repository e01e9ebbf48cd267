import type { SubmissionStatus } from './entities/submission.entity';
import { INCONSISTENT_COMPLETION } from './submissions.errors';

export interface SubmissionState {
  status: SubmissionStatus;
  analysis_completed: boolean;
}

export interface CompletionChange {
  status?: SubmissionStatus;
  analysis_completed?: boolean;
  /** 'record': set analysis_completed_at to now; 'clear': set it to null; 'keep': leave it. */
  completed_at: 'record' | 'clear' | 'keep';
}

/**
 * How an update's status / analysis_completed move a submission. `analysis_completed` mirrors
 * `status = 'completed'` (a database CHECK holds it), so either field may express completion: the first seed's
 * analysis route sent only `{analysis_result, analysis_completed: true}`. Every completion (re-analysis included)
 * records the time anew; leaving "completed" clears it. Contradicting values are a 400. Any status may follow
 * any other: the transitions are driven by administrators and the analysis job, not by the candidate.
 */
export function planCompletion(
  current: SubmissionState,
  status?: SubmissionStatus,
  completed?: boolean,
): CompletionChange {
  if (status !== undefined && completed !== undefined && (status === 'completed') !== completed) {
    throw INCONSISTENT_COMPLETION();
  }
  const completing = status === 'completed' || completed === true;
  let target = status ?? current.status;
  if (status === undefined && completed === true) target = 'completed';
  // Reopened without a status: back to waiting for analysis.
  if (status === undefined && completed === false && current.status === 'completed') target = 'submitted';

  const change: CompletionChange = { completed_at: 'keep' };
  if (target !== current.status) change.status = target;
  const isCompleted = target === 'completed';
  if (isCompleted !== current.analysis_completed) change.analysis_completed = isCompleted;
  if (completing) change.completed_at = 'record';
  else if (!isCompleted && current.analysis_completed) change.completed_at = 'clear';
  return change;
}

/** The attempt limit applies to candidates only: staff may submit as often as they like (tests, demos). */
export function attemptAllowance(role: string, attemptCount: number, maxAttempts: number) {
  if (role !== 'candidate') return { max_attempts: null, remaining: null, exhausted: false };
  const remaining = Math.max(0, maxAttempts - attemptCount);
  return { max_attempts: maxAttempts, remaining, exhausted: remaining === 0 };
}
