import * as common from '../common/errors/common.errors';
import * as storage from '../common/storage/storage.errors';
import * as audit from './audit/audit.errors';
import * as auth from './auth/auth.errors';
import * as competencies from './competencies/competencies.errors';
import * as configurations from './configurations/configurations.errors';
import * as submissions from './submissions/submissions.errors';
import * as proctoringSocket from './proctoring/proctoring-socket.errors';
import * as tenants from './tenants/tenants.errors';
import * as invitations from './timed-tests/invitations/invitations.errors';
import * as taking from './timed-tests/taking/taking.errors';
import * as timedTests from './timed-tests/tests/tests.errors';
import * as results from './timed-tests/results/results.errors';
import * as users from './users/users.errors';
import * as proctoring from './proctoring/proctoring.errors';

/**
 * Every error catalogue of the API. A catalogue's builders are named as the codes they answer with (e.g.
 * `TENANT_NOT_FOUND`), so its exported UPPER_SNAKE names are its codes; src/modules/error-catalogue.spec.ts
 * checks that no code is built outside a catalogue, that none is in two, and that this list is complete. It lives
 * here rather than in src/common because it reads the features' catalogues.
 */
const CATALOGUES: readonly object[] = [
  common,
  storage,
  audit,
  auth,
  competencies,
  configurations,
  submissions,
  tenants,
  timedTests,
  results,
  users,
  invitations,
  taking,
  proctoringSocket,
  proctoring,
];

const CODE_NAME = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

/** Every `code` an error body may carry, sorted: published as the OpenAPI `ErrorCode` enum. */
export const ERROR_CODES: readonly string[] = CATALOGUES.flatMap((catalogue) =>
  Object.entries(catalogue)
    .filter(([name, value]) => CODE_NAME.test(name) && typeof value === 'function')
    .map(([name]) => name),
).sort();
