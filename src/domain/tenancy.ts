/**
 * The platform's own tenant: superadmins belong to it and platform-wide records (competencies, configurations)
 * are owned by it. Shared by every feature, so it lives here rather than in the tenants module.
 */
export const SYSTEM_TENANT_ID = '00000000-0000-0000-0000-000000000001';

/** What a feature may know about a tenant it does not own: a plain read model, never the TypeORM entity. */
export interface TenantSummary {
  id: string;
  name: string;
  is_active: boolean;
}
