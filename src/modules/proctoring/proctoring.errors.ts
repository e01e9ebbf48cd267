import { AppError } from '../../common/errors/app-error';

// Proctoring's REST routes (docs/proctoring.md, "REST"): each builder is named as the code it answers with. The
// gateway's socket codes live in proctoring-socket.errors.ts.

/** No attempt for this invitation in the caller's reach: unknown, another tenant's, never started, or ended and not
 * watched by the calling proctor (never a hint that it exists). */
export const PROCTORING_SESSION_NOT_FOUND = () =>
  AppError.notFound('PROCTORING_SESSION_NOT_FOUND', 'Proctoring session not found');

/** A proctor may review only a session it watched (it can still see other live sessions). */
export const PROCTORING_REVIEW_NOT_ALLOWED = () =>
  AppError.forbidden('PROCTORING_REVIEW_NOT_ALLOWED', 'A proctor may review only a session it watched');
