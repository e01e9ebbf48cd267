import { AppError } from '../../../common/errors/app-error';

// The timed tests' error catalogue: each builder is named as the code it answers with.

export const TEST_NOT_FOUND = () => AppError.notFound('TEST_NOT_FOUND', 'Test not found');

export const TEST_HAS_OPEN_INVITATIONS = () =>
  AppError.conflict(
    'TEST_HAS_OPEN_INVITATIONS',
    'The test has open invitations (sent, scheduled or in progress); cancel them first',
  );

export const TEST_DELETED = () => AppError.conflict('TEST_DELETED', 'The test has been deleted');
