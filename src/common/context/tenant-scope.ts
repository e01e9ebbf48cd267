import { AuthenticatedContext } from './request-context';
import { FOREIGN_TENANT } from '../errors/common.errors';
import { isSuperadmin } from '../auth/role-predicates';

/*
 * Tenant rules for a single tenant id. Reads of tenant-owned tables are scoped in one place,
 * `scoped(ctx, where)` / `callerScope(ctx, where)` in src/database/tenant-scoped.ts.
 */

/** True when the caller may see rows of `tenantId`. */
export function canAccessTenant(ctx: AuthenticatedContext, tenantId: string): boolean {
  return isSuperadmin(ctx.user) || ctx.user.tenantId === tenantId;
}

/**
 * Resolves the tenant a write goes to. A superadmin may name one (default: its own); anyone else may name only
 * its own, and naming a foreign one is 403 `FOREIGN_TENANT` (docs/architecture.md, "Where each rule lives").
 */
export function targetTenant(ctx: AuthenticatedContext, requested: string | undefined | null): string {
  if (!requested) return ctx.user.tenantId;
  if (isSuperadmin(ctx.user) || requested === ctx.user.tenantId) return requested;
  throw FOREIGN_TENANT();
}
