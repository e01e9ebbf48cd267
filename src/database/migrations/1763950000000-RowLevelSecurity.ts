import { MigrationInterface, QueryRunner } from 'typeorm';
import { disableTenantRls, enableTenantRls } from '../rls';

/** The tenant-owned tables that existed before row-level security (later migrations call enableTenantRls). */
const TABLES = ['users', 'sessions', 'audit_logs', 'competency_dictionaries', 'submissions', 'media_files'];

/**
 * Tenant isolation enforced by PostgreSQL (README.md "Security model"). Creates the two functions the policies read
 * and puts every existing tenant-owned table under row-level security.
 *
 * - `app_tenant()`: the unit of work's tenant, `app.tenant_id` (set with `set_config(…, true)`, so it lasts until the
 *   transaction ends); NULL when unset or empty.
 * - `app_cross_tenant()`: true when `app.cross_tenant` is non-empty; its value is the reason the unit of work
 *   crosses tenants (`superadmin`, `auth.login`, …).
 *
 * Both are STABLE single-expression SQL functions, which PostgreSQL inlines into the policy: `tenant_id =
 * app_tenant()` stays an index condition on `tenant_id`.
 *
 * `session_principal(session, user)`: the authentication guard's one query on every request (session live, user and
 * tenant active, the profile). It runs before any unit of work exists and must stay one round trip, so the function
 * itself crosses tenants for its duration (`SET app.cross_tenant` in its definition scopes the setting to the call)
 * and filters by the token's own session and user.
 *
 * `user_email_taken(email, except)`: e-mail addresses are unique platform-wide, so creating or renaming a user inside
 * a tenant's unit of work asks this function (reason `users.email_unique`), which answers a boolean and nothing more.
 */
export class RowLevelSecurity1763950000000 implements MigrationInterface {
  name = 'RowLevelSecurity1763950000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION app_tenant() RETURNS uuid
        LANGUAGE sql STABLE PARALLEL SAFE
        AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$`);
    await q.query(`
      CREATE OR REPLACE FUNCTION app_cross_tenant() RETURNS boolean
        LANGUAGE sql STABLE PARALLEL SAFE
        AS $$ SELECT coalesce(current_setting('app.cross_tenant', true), '') <> '' $$`);

    for (const table of TABLES) await enableTenantRls(q, table);
    await enableTenantRls(q, 'configurations', { systemRowsReadable: true });

    await q.query(`
      CREATE OR REPLACE FUNCTION session_principal(p_session uuid, p_user uuid)
        RETURNS TABLE (
          id uuid, tenant_id uuid, tenant_name varchar, email varchar, full_name varchar, candidate_id varchar,
          role varchar, preferred_language varchar, is_active boolean, last_login timestamptz,
          created_at timestamptz, updated_at timestamptz
        )
        LANGUAGE plpgsql STABLE
        SET app.cross_tenant = 'auth.principal'
        AS $$
        #variable_conflict use_column
        BEGIN
          RETURN QUERY
            SELECT u.id, u.tenant_id, t.name, u.email, u.full_name, u.candidate_id, u.role,
                   u.preferred_language, u.is_active, u.last_login, u.created_at, u.updated_at
              FROM sessions s
              JOIN users u ON u.id = s.user_id
              JOIN tenants t ON t.id = u.tenant_id
             WHERE s.id = p_session AND s.user_id = p_user AND s.revoked_at IS NULL AND s.expires_at > now()
               AND u.is_active AND t.is_active;
        END
        $$`);

    await q.query(`
      CREATE OR REPLACE FUNCTION user_email_taken(p_email text, p_except uuid) RETURNS boolean
        LANGUAGE sql STABLE
        SET app.cross_tenant = 'users.email_unique'
        AS $$ SELECT EXISTS (SELECT 1 FROM users WHERE email = p_email AND id IS DISTINCT FROM p_except) $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION user_email_taken(text, uuid)`);
    await q.query(`DROP FUNCTION session_principal(uuid, uuid)`);
    await disableTenantRls(q, 'configurations');
    for (const table of TABLES) await disableTenantRls(q, table);
    await q.query(`DROP FUNCTION app_cross_tenant()`);
    await q.query(`DROP FUNCTION app_tenant()`);
  }
}
