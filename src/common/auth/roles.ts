export const ROLES = ['superadmin', 'admin', 'proctor', 'candidate'] as const;
export type Role = (typeof ROLES)[number];

/** Staff roles that may act on tenant data beyond their own records. */
export const STAFF_ROLES: readonly Role[] = ['superadmin', 'admin', 'proctor'];

/** The second seed called candidates "applicant"; accept it on input. */
export function normaliseRole(value: unknown): unknown {
  return typeof value === 'string' && value.toLowerCase() === 'applicant' ? 'candidate' : value;
}

/** Which original API a response speaks: the Trajectorie API (`/auth/*`) or the Pre-Interview Test API (`/api/auth/*`). */
export type RoleDialect = 'trajectorie' | 'pre-interview';

/** The one place that decides how a role is shown to a client: only a candidate differs, as `applicant`. */
export function renderRole(role: string, dialect: RoleDialect): string {
  return dialect === 'pre-interview' && role === 'candidate' ? 'applicant' : role;
}
