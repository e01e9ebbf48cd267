import { AppError } from '../../common/errors/app-error';

// The users feature's error catalogue: each builder is named as the code it answers with.

export const USER_NOT_FOUND = () => AppError.notFound('USER_NOT_FOUND', 'User not found');

export const EMAIL_TAKEN = () => AppError.conflict('EMAIL_TAKEN', 'A user with this email already exists');

export const CANDIDATE_ID_TAKEN = () =>
  AppError.conflict('CANDIDATE_ID_TAKEN', 'This candidate_id is already used in the tenant');

export const INVALID_CURRENT_PASSWORD = () =>
  AppError.badRequest('INVALID_CURRENT_PASSWORD', 'Current password is incorrect', [
    { field: 'current_password', message: 'current_password is incorrect' },
  ]);

export const SUPERADMIN_OUTSIDE_SYSTEM_TENANT = () =>
  AppError.badRequest('SUPERADMIN_OUTSIDE_SYSTEM_TENANT', 'Superadmins can only belong to the System tenant', [
    { field: 'tenant_id', message: 'a superadmin must belong to the System tenant' },
  ]);

/** A role the caller may not give (here, or to itself at registration: the auth feature says why). */
export const ROLE_NOT_ALLOWED = (detail: string) => AppError.forbidden('ROLE_NOT_ALLOWED', detail);

export const FIELD_NOT_ALLOWED = (fields: string[]) =>
  AppError.forbidden('FIELD_NOT_ALLOWED', `You may not change: ${fields.join(', ')}`);

export const CANNOT_CHANGE_OWN_ROLE = () =>
  AppError.forbidden('CANNOT_CHANGE_OWN_ROLE', 'You cannot change your own role');

export const CANNOT_MOVE_USER = () =>
  AppError.forbidden('CANNOT_MOVE_USER', 'Only a superadmin can move a user to another tenant');

export const CANNOT_DEACTIVATE_SELF = () =>
  AppError.conflict('CANNOT_DEACTIVATE_SELF', 'You cannot deactivate yourself');

export const USE_CHANGE_PASSWORD = () =>
  AppError.forbidden('USE_CHANGE_PASSWORD', 'Change your own password with POST /auth/change-password');
