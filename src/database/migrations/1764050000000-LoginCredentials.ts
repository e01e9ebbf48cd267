import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `login_credentials(email)`: login's lookup of a user by e-mail, which must cross tenants (the e-mail is what names
 * the tenant). Like `session_principal`, the function crosses tenants for the duration of the call only (`SET
 * app.cross_tenant = 'auth.login'` in its definition), so the lookup is one round trip on the pool instead of a unit
 * of work (BEGIN + set_config, the query, COMMIT). It returns the profile columns too, so a successful login does not
 * read the user again. The caller passes the e-mail lower-cased, as it is stored.
 */
export class LoginCredentials1764050000000 implements MigrationInterface {
  name = 'LoginCredentials1764050000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION login_credentials(p_email text)
        RETURNS TABLE (
          id uuid, tenant_id uuid, tenant_name varchar, tenant_is_active boolean, email varchar,
          password_hash varchar, full_name varchar, candidate_id varchar, role varchar, preferred_language varchar,
          is_active boolean, last_login timestamptz, created_at timestamptz, updated_at timestamptz
        )
        LANGUAGE plpgsql STABLE
        SET app.cross_tenant = 'auth.login'
        AS $$
        #variable_conflict use_column
        BEGIN
          RETURN QUERY
            SELECT u.id, u.tenant_id, t.name, t.is_active, u.email, u.password_hash, u.full_name, u.candidate_id,
                   u.role, u.preferred_language, u.is_active, u.last_login, u.created_at, u.updated_at
              FROM users u
              JOIN tenants t ON t.id = u.tenant_id
             WHERE u.email = p_email;
        END
        $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION login_credentials(text)`);
  }
}
