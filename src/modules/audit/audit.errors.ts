import { AppError } from '../../common/errors/app-error';

// The audit feature's error catalogue: each builder is named as the code it answers with.

export const INVALID_DATE_RANGE = () =>
  AppError.badRequest('INVALID_DATE_RANGE', '"from" must not be after "to"', [
    { field: 'from', message: 'from must not be after to' },
  ]);
