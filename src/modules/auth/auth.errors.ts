import { AppError } from '../../common/errors/app-error';

// The auth feature's error catalogue: each builder is named as the code it answers with.

export const INVALID_CREDENTIALS = () => AppError.unauthorized('INVALID_CREDENTIALS', 'Incorrect email or password');

export const INVALID_REFRESH_TOKEN = () =>
  AppError.unauthorized('INVALID_REFRESH_TOKEN', 'Invalid or expired refresh token');

export const SESSION_REVOKED = () => AppError.unauthorized('SESSION_REVOKED', 'Session is no longer valid');

export const SESSION_NOT_FOUND = () => AppError.notFound('SESSION_NOT_FOUND', 'Session not found');

export const INVALID_INVITATION = () =>
  AppError.forbidden('INVALID_INVITATION', 'The invitation is not valid for this e-mail');

export const REGISTRATION_DISABLED = () =>
  AppError.forbidden('REGISTRATION_DISABLED', 'Public registration is disabled');

export const PASSWORD_UNCHANGED = () =>
  AppError.badRequest('PASSWORD_UNCHANGED', 'The new password must differ from the current one', [
    { field: 'new_password', message: 'new_password must differ from current_password' },
  ]);
