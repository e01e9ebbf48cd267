import { AppError } from '../../common/errors/app-error';
import type { TestType } from '../../domain/test-types';

export const SUBMISSION_NOT_FOUND = () => AppError.notFound('SUBMISSION_NOT_FOUND', 'Submission not found');

/** 409 rather than 403: the caller's role is fine; the tenant's current settings refuse this test type. */
export const TEST_TYPE_NOT_ALLOWED = (testType: TestType) =>
  AppError.conflict('TEST_TYPE_NOT_ALLOWED', `Test type ${testType} is not enabled for this tenant`);

export const MAX_ATTEMPTS_REACHED = (testType: TestType, max: number) =>
  AppError.conflict('MAX_ATTEMPTS_REACHED', `Maximum number of ${testType} attempts reached (${max})`);

export const INCONSISTENT_COMPLETION = () =>
  AppError.badRequest('INCONSISTENT_COMPLETION', 'status and analysis_completed contradict each other', [
    { field: 'analysis_completed', message: 'analysis_completed must be true exactly when status is "completed"' },
  ]);

export const MEDIA_NOT_FOUND = () => AppError.notFound('MEDIA_NOT_FOUND', 'Media file not found');

export const MEDIA_URL_INVALID = () =>
  AppError.forbidden('MEDIA_URL_INVALID', 'This download link is not valid for this file');

export const MEDIA_URL_EXPIRED = () =>
  AppError.forbidden('MEDIA_URL_EXPIRED', 'This download link has expired; list the media again for a fresh one');

export const INVALID_DATA_URI = (field: string, message: string) =>
  AppError.badRequest('INVALID_DATA_URI', `${field}: ${message}`, [{ field, message }]);
