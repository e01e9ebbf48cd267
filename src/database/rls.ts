import type { QueryRunner } from 'typeorm';

/**
 * Row-level security for a tenant-owned table (one with a `tenant_id` column), called by every migration that creates
 * one; `test/e2e/row-level-security.e2e-spec.ts` fails when a table with a `tenant_id` lacks it.
 *
 * The table gets `ENABLE` and `FORCE ROW LEVEL SECURITY` (FORCE: the policy binds the table's owner too; only a
 * superuser or a `BYPASSRLS` role ignores it, and the app refuses to serve as one) and one policy,
 * `tenant_isolation`: a row is visible and writable when its `tenant_id` is the unit of work's tenant
 * (`app_tenant()`, the transaction-local setting `app.tenant_id`) or when the unit of work crosses tenants
 * (`app_cross_tenant()`, the setting `app.cross_tenant`, which names its reason). Both functions are created by
 * migration 1763950000000-RowLevelSecurity; they are STABLE one-line SQL functions that PostgreSQL inlines, so
 * `tenant_id = app_tenant()` remains an index condition.
 *
 * `systemRowsReadable`: rows with `tenant_id IS NULL` (system rows shared by every tenant) are readable by every
 * unit of work, but written only by cross-tenant work (the WITH CHECK does not include them).
 */
export async function enableTenantRls(
  q: QueryRunner,
  table: string,
  options: { systemRowsReadable?: boolean } = {},
): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new Error(`enableTenantRls: not a plain table name: ${table}`);
  const check = `tenant_id = app_tenant() OR app_cross_tenant()`;
  const using = options.systemRowsReadable ? `${check} OR tenant_id IS NULL` : check;
  await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
  await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
  await q.query(`DROP POLICY IF EXISTS tenant_isolation ON ${table}`);
  await q.query(`CREATE POLICY tenant_isolation ON ${table} USING (${using}) WITH CHECK (${check})`);
}

/** Undoes `enableTenantRls` (migrations' `down`). */
export async function disableTenantRls(q: QueryRunner, table: string): Promise<void> {
  await q.query(`DROP POLICY IF EXISTS tenant_isolation ON ${table}`);
  await q.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
  await q.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
}
