import { AppError } from '../../../common/errors/app-error';

// Results and manual review of timed-test attempts: each builder is named as the code it answers with.

export const RESULT_NOT_FOUND = () => AppError.notFound('RESULT_NOT_FOUND', 'Result not found');

export const ANSWER_NOT_FOUND = () => AppError.notFound('ANSWER_NOT_FOUND', 'Answer not found in this result');

export const ATTEMPT_NOT_SUBMITTED = () =>
  AppError.conflict('ATTEMPT_NOT_SUBMITTED', 'The attempt is still in progress; review it once it is submitted');

export const ANSWER_NOT_REVIEWABLE = () =>
  AppError.badRequest(
    'ANSWER_NOT_REVIEWABLE',
    'Only essay and coding answers are scored by a reviewer; the others are scored automatically',
  );

export const REVIEW_SCORE_OUT_OF_RANGE = (points: number) =>
  AppError.badRequest('REVIEW_SCORE_OUT_OF_RANGE', `score must be between 0 and ${points} (the question's points)`, [
    { field: 'score', message: `score must be between 0 and ${points}` },
  ]);
