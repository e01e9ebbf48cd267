import { AppError } from '../../../common/errors/app-error';

// The taking-a-test catalogue: each builder is named as the code it answers with.

export const OUTSIDE_SCHEDULE_WINDOW = (minutes: number) =>
  AppError.conflict('OUTSIDE_SCHEDULE_WINDOW', `Test can only be taken within ${minutes} minutes of scheduled time`);

export const ATTEMPT_NOT_STARTED = () => AppError.conflict('ATTEMPT_NOT_STARTED', 'The test has not been started');

export const ATTEMPT_ALREADY_SUBMITTED = () =>
  AppError.conflict('ATTEMPT_ALREADY_SUBMITTED', 'This test has already been submitted');

export const ATTEMPT_DEADLINE_PASSED = () =>
  AppError.conflict('ATTEMPT_DEADLINE_PASSED', 'The time for this test is over');

export const INVITATION_NOT_STARTABLE = (status: string) =>
  AppError.conflict('INVITATION_NOT_STARTABLE', `An invitation in status ${status} cannot be started`);

export const QUESTION_NOT_IN_TEST = (index: number) =>
  AppError.badRequest('QUESTION_NOT_IN_TEST', 'An answer names a question that is not part of this test', [
    { field: `answers.${index}.question_id`, message: 'question_id is not a question of this test' },
  ]);

export const INVALID_ANSWER = (index: number, message: string) =>
  AppError.badRequest('INVALID_ANSWER', `answers.${index}.answer ${message}`, [
    { field: `answers.${index}.answer`, message },
  ]);

export const INVALID_IDEMPOTENCY_KEY = () =>
  AppError.badRequest('INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1 to 255 printable ASCII characters', [
    { field: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' },
  ]);

/** The proctoring gateway: a candidate's handshake or a staff action on an attempt that is not running. */
export const ATTEMPT_NOT_IN_PROGRESS = () =>
  AppError.conflict('ATTEMPT_NOT_IN_PROGRESS', 'The attempt is not in progress');
