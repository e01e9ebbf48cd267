import type { Role } from './roles';

/** A user (or anything that carries a role), or a bare role value such as the one a request asks to grant. */
export type RoleSubject = Role | { readonly role: Role };

const roleOf = (subject: RoleSubject): Role => (typeof subject === 'string' ? subject : subject.role);

/**
 * The role checks services and rules make, named once (the route-level role lists are the `@Roles(…)` decorators).
 * A superadmin is platform staff: every tenant, and the system-wide records.
 */
export const isSuperadmin = (subject: RoleSubject): boolean => roleOf(subject) === 'superadmin';

/** An admin manages its own tenant only. */
export const isTenantAdmin = (subject: RoleSubject): boolean => roleOf(subject) === 'admin';

/**
 * A superadmin or an admin: manages a tenant's users, configurations and competencies, and sees every
 * submission of the tenant(s) it may act on.
 */
export const managesTenant = (subject: RoleSubject): boolean => isSuperadmin(subject) || isTenantAdmin(subject);
