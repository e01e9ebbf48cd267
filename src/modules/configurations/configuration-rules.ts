import { AuthenticatedUser } from '../../common/context/request-context';
import type { ConfigScope } from './entities/configuration.entity';
import { FOREIGN_TENANT, INSUFFICIENT_ROLE, VALIDATION_ERROR } from '../../common/errors/common.errors';
import { SYSTEM_SCOPE_FORBIDDEN } from './configurations.errors';
import { isSuperadmin, isTenantAdmin, managesTenant } from '../../common/auth/role-predicates';

/** Whose configuration: a tenant id, or null for the system-scope default. */
export type ConfigOwner = string | null;

export interface OwnerRequest {
  scope?: ConfigScope;
  tenant_id?: string;
}

type Caller = Pick<AuthenticatedUser, 'role' | 'tenantId'>;

/** Staff who author configurations see them whole; everyone else gets the candidate-safe view. */
export function seesAnswerKeys(caller: Caller): boolean {
  return managesTenant(caller);
}

/**
 * Which (tenant or system) configuration a request is about.
 * - `scope: 'system'` → system (writing it is superadmin-only; reading it is open to admins);
 * - `tenant_id` → that tenant (a superadmin: any; anyone else: only its own, a foreign one is 403);
 * - `scope: 'tenant'` alone → the caller's own tenant;
 * - nothing → a superadmin means the system configuration, anyone else its own tenant's.
 */
export function resolveOwner(caller: Caller, request: OwnerRequest, mode: 'read' | 'write'): ConfigOwner {
  const superadmin = isSuperadmin(caller);
  if (request.scope === 'system') {
    if (request.tenant_id) {
      throw VALIDATION_ERROR([{ field: 'tenant_id', message: 'must be omitted when scope is "system"' }]);
    }
    if (mode === 'write' && !superadmin) throw SYSTEM_SCOPE_FORBIDDEN();
    return null;
  }
  if (request.tenant_id) {
    if (superadmin || request.tenant_id === caller.tenantId) return request.tenant_id;
    throw FOREIGN_TENANT();
  }
  if (request.scope === 'tenant' || !superadmin) return caller.tenantId;
  return null;
}

/**
 * May the caller read this row at all? Superadmins: any. Others: their tenant's rows and the system ones;
 * proctors and candidates only the active ones (they never need history).
 */
export function canReadConfiguration(caller: Caller, row: { tenant_id: string | null; is_active: boolean }): boolean {
  if (isSuperadmin(caller)) return true;
  if (row.tenant_id !== null && row.tenant_id !== caller.tenantId) return false;
  return seesAnswerKeys(caller) || row.is_active;
}

/** Writes to a readable row: admins may not touch system rows (403); their own tenant's are theirs. */
export function assertMayWriteConfiguration(caller: Caller, row: { tenant_id: string | null }): void {
  if (isSuperadmin(caller)) return;
  if (!isTenantAdmin(caller)) throw INSUFFICIENT_ROLE();
  if (row.tenant_id === null) throw SYSTEM_SCOPE_FORBIDDEN();
}
