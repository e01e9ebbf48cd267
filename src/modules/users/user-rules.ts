import { Role } from '../../common/auth/roles';
import { AuthenticatedUser } from '../../common/context/request-context';
import { RevokeReason } from '../sessions/sessions.service';
import { SYSTEM_TENANT_ID } from '../../domain/tenancy';
import { UpdateUserDto } from './dto/update-user.dto';
import {
  CANNOT_CHANGE_OWN_ROLE,
  CANNOT_DEACTIVATE_SELF,
  CANNOT_MOVE_USER,
  FIELD_NOT_ALLOWED,
  ROLE_NOT_ALLOWED,
  SUPERADMIN_OUTSIDE_SYSTEM_TENANT,
  USE_CHANGE_PASSWORD,
} from './users.errors';
import { isSuperadmin, isTenantAdmin, managesTenant } from '../../common/auth/role-predicates';

/** What a user record looks like to the rules: no hash, no relations. */
export interface UserState {
  id: string;
  email: string;
  full_name: string;
  candidate_id: string | null;
  role: Role;
  tenant_id: string;
  preferred_language: string;
  is_active: boolean;
}

export type UserChanges = Partial<Omit<UserState, 'id'>>;

export interface UserUpdatePlan {
  changes: UserChanges;
  passwordReset: boolean;
  /** Set when the change must end every live session of the user (README, "Security model": sessions). */
  revokeReason: RevokeReason | null;
}

/** What a candidate or proctor may change on its own record; client_name is accepted and ignored everywhere. */
const SELF_SERVICE_FIELDS = new Set([
  'full_name',
  'candidate_name',
  'preferred_language',
  'language_code',
  'client_name',
]);

/**
 * Which users a caller may see at all (anything else is reported as not found, never as forbidden): a superadmin
 * everyone; an admin the non-superadmins of its own tenant; everyone itself.
 */
export function canSeeUser(actor: AuthenticatedUser, target: Pick<UserState, 'id' | 'tenant_id' | 'role'>): boolean {
  if (actor.id === target.id || isSuperadmin(actor)) return true;
  return isTenantAdmin(actor) && actor.tenantId === target.tenant_id && !isSuperadmin(target);
}

/**
 * canSeeUser as a SQL condition on the users table aliased `alias`, for queries that filter other rows by it (the
 * audit log); null when the caller sees everyone. Keep the two in step.
 */
export function visibleUserSql(
  actor: AuthenticatedUser,
  alias: string,
): { sql: string; params: Record<string, string> } | null {
  if (isSuperadmin(actor)) return null;
  const sameTenantStaffView = isTenantAdmin(actor)
    ? ` OR (${alias}.tenant_id = :visibleTenantId AND ${alias}.role <> 'superadmin')`
    : '';
  return {
    sql: `(${alias}.id = :visibleSelfId${sameTenantStaffView})`,
    params: { visibleSelfId: actor.id, ...(isTenantAdmin(actor) ? { visibleTenantId: actor.tenantId } : {}) },
  };
}

/** Superadmins are platform staff and live only in the System tenant. */
export function assertSuperadminPlacement(role: Role, tenantId: string): void {
  if (isSuperadmin(role) && tenantId !== SYSTEM_TENANT_ID) {
    throw SUPERADMIN_OUTSIDE_SYSTEM_TENANT();
  }
}

/** Only a superadmin hands out the superadmin role (the originals let admins do it: privilege escalation). */
export function assertMayGrantRole(actor: AuthenticatedUser, role: Role): void {
  if (isSuperadmin(role) && !isSuperadmin(actor)) {
    throw ROLE_NOT_ALLOWED('Only a superadmin can grant the superadmin role');
  }
}

/**
 * Turns an update body into the changes it makes, enforcing the product's rules: nobody changes their own role or
 * deactivates themselves; candidates and proctors edit only their own profile fields; only a superadmin grants
 * superadmin or moves a user between tenants; an own password goes through /auth/change-password (it needs the
 * current one). Values equal to the current ones are no-ops, so resending a whole record is harmless.
 */
export function planUserUpdate(actor: AuthenticatedUser, target: UserState, dto: UpdateUserDto): UserUpdatePlan {
  const isSelf = actor.id === target.id;
  if (!managesTenant(actor)) {
    const denied = Object.keys(dto).filter(
      (key) => dto[key as keyof UpdateUserDto] !== undefined && !SELF_SERVICE_FIELDS.has(key),
    );
    if (denied.length > 0) {
      throw FIELD_NOT_ALLOWED(denied);
    }
  }

  const changes: UserChanges = {};
  const fullName = dto.full_name ?? dto.candidate_name;
  if (fullName !== undefined && fullName !== target.full_name) changes.full_name = fullName;
  const language = dto.preferred_language ?? dto.language_code;
  if (language !== undefined && language !== target.preferred_language) changes.preferred_language = language;
  if (dto.email !== undefined && dto.email !== target.email) changes.email = dto.email;
  if (dto.candidate_id !== undefined && dto.candidate_id !== target.candidate_id)
    changes.candidate_id = dto.candidate_id;

  if (dto.role !== undefined && dto.role !== target.role) {
    if (isSelf) throw CANNOT_CHANGE_OWN_ROLE();
    assertMayGrantRole(actor, dto.role);
    changes.role = dto.role;
  }
  if (dto.tenant_id !== undefined && dto.tenant_id !== target.tenant_id) {
    if (!isSuperadmin(actor)) {
      throw CANNOT_MOVE_USER();
    }
    changes.tenant_id = dto.tenant_id;
  }
  if (dto.is_active !== undefined && dto.is_active !== target.is_active) {
    if (isSelf && !dto.is_active) throw CANNOT_DEACTIVATE_SELF();
    changes.is_active = dto.is_active;
  }
  const passwordReset = dto.password !== undefined;
  if (passwordReset && isSelf) {
    throw USE_CHANGE_PASSWORD();
  }
  assertSuperadminPlacement(changes.role ?? target.role, changes.tenant_id ?? target.tenant_id);
  return { changes, passwordReset, revokeReason: revokeReasonFor(changes, passwordReset) };
}

function revokeReasonFor(changes: UserChanges, passwordReset: boolean): RevokeReason | null {
  if (changes.is_active === false) return 'user_deactivated';
  if (changes.tenant_id !== undefined) return 'tenant_changed';
  if (changes.role !== undefined) return 'role_changed';
  if (passwordReset) return 'password_changed';
  return null;
}
