export const ROLES = ['superadmin', 'admin', 'proctor', 'candidate'] as const;
export type Role = (typeof ROLES)[number];

/** Staff roles that may act on tenant data beyond their own records. */
export const STAFF_ROLES: readonly Role[] = ['superadmin', 'admin', 'proctor'];

/** The second seed called candidates "applicant"; accept it on input. */
export function normaliseRole(value: unknown): unknown {
  return typeof value === 'string' && value.toLowerCase() === 'applicant' ? 'candidate' : value;
}
