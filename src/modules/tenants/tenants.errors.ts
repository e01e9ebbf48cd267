import { AppError } from '../../common/errors/app-error';

// The tenants feature's error catalogue: each builder is named as the code it answers with.

export const TENANT_NOT_FOUND = () => AppError.notFound('TENANT_NOT_FOUND', 'Tenant not found');

export const TENANT_INACTIVE = () => AppError.conflict('TENANT_INACTIVE', 'Tenant is deactivated');

export const TENANT_NAME_TAKEN = () => AppError.conflict('TENANT_NAME_TAKEN', 'Tenant with this name already exists');

export const SYSTEM_TENANT_PROTECTED = () =>
  AppError.conflict('SYSTEM_TENANT_PROTECTED', 'The System tenant holds the platform staff and cannot be deactivated');

export const TENANT_MISMATCH = () =>
  AppError.badRequest('TENANT_MISMATCH', 'tenant_id in the body differs from the tenant in the path', [
    { field: 'tenant_id', message: 'must be omitted or equal the tenant in the path' },
  ]);
