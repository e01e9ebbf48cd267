import { AppError } from '../errors/app-error';
import { AuthenticatedContext } from './request-context';

/*
 * Tenant rules for a single tenant id. Reads of tenant-owned tables are scoped in one place,
 * `scoped(ctx, where)` / `callerScope(ctx, where)` in src/database/tenant-scoped.ts.
 */

/** True when the caller may see rows of `tenantId`. */
export function canAccessTenant(ctx: AuthenticatedContext, tenantId: string): boolean {
  return ctx.user.role === 'superadmin' || ctx.user.tenantId === tenantId;
}

/**
 * Resolves the tenant a write goes to. A superadmin may name one (default: its own); anyone else may name only
 * its own, and naming a foreign one is 403 (SPEC §4, Users).
 */
export function targetTenant(ctx: AuthenticatedContext, requested: string | undefined | null): string {
  if (!requested) return ctx.user.tenantId;
  if (ctx.user.role === 'superadmin' || requested === ctx.user.tenantId) return requested;
  throw AppError.forbidden('FOREIGN_TENANT', 'You may not act on another tenant');
}
