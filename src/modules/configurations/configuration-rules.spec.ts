import { AppError } from '../../common/errors/app-error';
import { assertMayWriteConfiguration, canReadConfiguration, resolveOwner, seesAnswerKeys } from './configuration-rules';

const T1 = '11111111-1111-4111-8111-111111111111';
const T2 = '22222222-2222-4222-8222-222222222222';
const superadmin = { role: 'superadmin' as const, tenantId: '00000000-0000-0000-0000-000000000001' };
const admin = { role: 'admin' as const, tenantId: T1 };
const proctor = { role: 'proctor' as const, tenantId: T1 };
const candidate = { role: 'candidate' as const, tenantId: T1 };

const failure = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return { status: (error as AppError).status, code: (error as AppError).code };
  }
  return undefined;
};

describe('resolveOwner', () => {
  it('superadmin: system by default or with scope system; a named tenant otherwise', () => {
    expect(resolveOwner(superadmin, {}, 'write')).toBeNull();
    expect(resolveOwner(superadmin, { scope: 'system' }, 'write')).toBeNull();
    expect(resolveOwner(superadmin, { tenant_id: T2 }, 'write')).toBe(T2);
    expect(resolveOwner(superadmin, { scope: 'tenant', tenant_id: T2 }, 'write')).toBe(T2);
    expect(resolveOwner(superadmin, { scope: 'tenant' }, 'write')).toBe(superadmin.tenantId);
  });

  it('admin: always its own tenant; system scope is 403 for writes, allowed for reads; a foreign tenant is 403', () => {
    expect(resolveOwner(admin, {}, 'write')).toBe(T1);
    expect(resolveOwner(admin, { scope: 'tenant' }, 'write')).toBe(T1);
    expect(resolveOwner(admin, { tenant_id: T1 }, 'write')).toBe(T1);
    expect(failure(() => resolveOwner(admin, { scope: 'system' }, 'write'))).toEqual({
      status: 403,
      code: 'SYSTEM_SCOPE_FORBIDDEN',
    });
    expect(resolveOwner(admin, { scope: 'system' }, 'read')).toBeNull();
    expect(failure(() => resolveOwner(admin, { tenant_id: T2 }, 'write'))).toEqual({
      status: 403,
      code: 'FOREIGN_TENANT',
    });
    expect(failure(() => resolveOwner(admin, { tenant_id: T2 }, 'read'))).toEqual({
      status: 403,
      code: 'FOREIGN_TENANT',
    });
  });

  it('scope system together with a tenant_id is a 400', () => {
    expect(failure(() => resolveOwner(superadmin, { scope: 'system', tenant_id: T2 }, 'write'))).toEqual({
      status: 400,
      code: 'VALIDATION_ERROR',
    });
  });
});

describe('row access', () => {
  const own = { tenant_id: T1, is_active: true };
  const ownOld = { tenant_id: T1, is_active: false };
  const system = { tenant_id: null, is_active: true };
  const foreign = { tenant_id: T2, is_active: true };

  it('superadmin reads everything; admin its tenant and system rows, active or not', () => {
    for (const row of [own, ownOld, system, foreign]) expect(canReadConfiguration(superadmin, row)).toBe(true);
    expect([own, ownOld, system, foreign].map((row) => canReadConfiguration(admin, row))).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it('proctors and candidates read active rows of their tenant and system only', () => {
    for (const caller of [proctor, candidate]) {
      expect([own, ownOld, system, foreign].map((row) => canReadConfiguration(caller, row))).toEqual([
        true,
        false,
        true,
        false,
      ]);
    }
  });

  it('writes: admins not on system rows; only authors see answer keys', () => {
    expect(() => assertMayWriteConfiguration(superadmin, system)).not.toThrow();
    expect(() => assertMayWriteConfiguration(admin, own)).not.toThrow();
    expect(failure(() => assertMayWriteConfiguration(admin, system))).toEqual({
      status: 403,
      code: 'SYSTEM_SCOPE_FORBIDDEN',
    });
    expect(failure(() => assertMayWriteConfiguration(candidate, own))?.status).toBe(403);
    expect([superadmin, admin, proctor, candidate].map(seesAnswerKeys)).toEqual([true, true, false, false]);
  });
});
