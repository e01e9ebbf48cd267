import { AuthenticatedContext } from '../common/context/request-context';
import { callerScope, scoped, ScopedWhere, unscoped } from './tenant-scoped';

/** A tenant-owned row (has tenant_id) and a platform-wide one (has not). */
interface OwnedRow {
  id: string;
  tenant_id: string;
  name: string;
}
interface PlatformRow {
  id: string;
  name: string;
}

const ctxOf = (role: 'superadmin' | 'admin'): AuthenticatedContext => ({
  requestId: 'r',
  ip: null,
  userAgent: null,
  user: { id: 'u', tenantId: 't1', role, email: 'e', fullName: 'f', sessionId: 's', profile: {} as never },
});

describe('scoped(ctx, where): the tenant filter cannot be forgotten', () => {
  it('rejects, at compile time, a where without tenant_id for a tenant-owned entity', () => {
    const ctx = ctxOf('admin');
    // @ts-expect-error a tenant-owned entity's where must name tenant_id
    scoped<OwnedRow>(ctx, { id: 'x' });
    // @ts-expect-error an empty where reads every tenant: it must say so with unscoped()
    scoped<OwnedRow>(ctx, {});
    // @ts-expect-error the entity must be named; left to inference nothing compiles
    scoped(ctx, { id: 'x', tenant_id: 't1' });
    // @ts-expect-error a hand-made look-alike is not an unscoped() clause
    const fake: ScopedWhere<OwnedRow> = { where: { id: 'x' } };
    void fake;

    expect(scoped<OwnedRow>(ctx, { id: 'x', tenant_id: 't1' })).toEqual({ id: 'x', tenant_id: 't1' });
    expect(scoped<OwnedRow>(ctx, unscoped('test: every tenant', { id: 'x' }))).toEqual({ id: 'x' });
    expect(scoped<PlatformRow>(ctx, { id: 'x' })).toEqual({ id: 'x' });
  });

  it('callerScope: the caller’s own tenant, or every tenant (explicitly) for a superadmin', () => {
    expect(scoped<OwnedRow>(ctxOf('admin'), callerScope(ctxOf('admin'), { id: 'x' }))).toEqual({
      id: 'x',
      tenant_id: 't1',
    });
    expect(scoped<OwnedRow>(ctxOf('superadmin'), callerScope(ctxOf('superadmin'), { id: 'x' }))).toEqual({ id: 'x' });
  });
});
