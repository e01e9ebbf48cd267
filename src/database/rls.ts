import type { QueryRunner } from 'typeorm';

/**
 * Row-level security for a tenant-owned table, called by every migration that creates one (issue: tenant isolation
 * enforced by PostgreSQL). Placeholder until the policies land: the catalog test will require every table with a
 * `tenant_id` to have them.
 */
export async function enableTenantRls(q: QueryRunner, table: string): Promise<void> {
  void q;
  void table;
}
