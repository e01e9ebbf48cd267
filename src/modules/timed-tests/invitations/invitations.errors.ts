import { HttpStatus } from '@nestjs/common';
import { AppError } from '../../../common/errors/app-error';

// The invitations feature's error catalogue: each builder is named as the code it answers with.

/** A missing or foreign invitation, and on the public routes also a wrong or cancelled token. */
export const INVITATION_NOT_FOUND = () => AppError.notFound('INVITATION_NOT_FOUND', 'Invitation not found');

/** The invitation's state does not allow the action (SPEC state machine; checked under a row lock). */
export const INVITATION_STATE_CONFLICT = (detail: string) => AppError.conflict('INVITATION_STATE_CONFLICT', detail);

/** Public routes: the invitation expired (status, or `expires_at` passed). */
export const INVITATION_EXPIRED = () =>
  new AppError('INVITATION_EXPIRED', 'This invitation has expired', HttpStatus.GONE);

/** The candidate may not move a schedule the admin fixed. */
export const SCHEDULE_FIXED_BY_ADMIN = () =>
  AppError.conflict('SCHEDULE_FIXED_BY_ADMIN', 'The schedule of this invitation was fixed by the administrator');

/** A date that must be in the future (or before the invitation's expiry) is not. */
export const INVALID_INVITATION_DATE = (field: string, message: string) =>
  AppError.badRequest('INVALID_INVITATION_DATE', `${field} ${message}`, [{ field, message }]);

/** The bulk upload is not a usable CSV (header, encoding, quoting). */
export const INVALID_INVITATION_CSV = (detail: string) => AppError.badRequest('INVALID_INVITATION_CSV', detail);
