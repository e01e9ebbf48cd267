import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `login_record(...)`: the writes of a successful login as one statement — the session, its first refresh token, the
 * `auth.login` audit row and the user's `last_login` (and upgraded password hash, if any) — so that a login costs two
 * round trips (`login_credentials`, then this) instead of a unit of work of six. On the 2-vCPU reference machine a
 * round trip during a login storm costs the app more CPU than the statement costs PostgreSQL (see README,
 * Benchmarks).
 *
 * Not a cross-tenant function: it works as the tenant the caller names, the one `login_credentials` returned for
 * the e-mail. Its definition resets `app.tenant_id` and `app.cross_tenant` for the call (`SET` clauses), and the body
 * scopes the call to `p_tenant_id` (`set_config(…, true)`, undone when the function returns), so row-level security
 * checks every write against that tenant. A user that is not in that tenant (or no longer exists) raises, and the
 * statement writes nothing. Called on the pool outside any unit of work, the statement is its own transaction.
 */
export class LoginRecord1764110000000 implements MigrationInterface {
  name = 'LoginRecord1764110000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION login_record(
          p_user_id uuid, p_tenant_id uuid, p_ip text, p_user_agent text, p_now timestamptz, p_expires_at timestamptz,
          p_token_hash text, p_rehashed text, p_request_id text)
        RETURNS TABLE (
          id uuid, user_id uuid, tenant_id uuid, ip_address varchar, user_agent text, created_at timestamptz,
          last_used_at timestamptz, expires_at timestamptz, revoked_at timestamptz, revoke_reason varchar,
          last_login timestamptz, updated_at timestamptz
        )
        LANGUAGE plpgsql VOLATILE
        SET app.tenant_id = ''
        SET app.cross_tenant = ''
        AS $$
        #variable_conflict use_column
        DECLARE
          v_last_login timestamptz;
          v_updated_at timestamptz;
          v_session sessions%ROWTYPE;
        BEGIN
          PERFORM set_config('app.tenant_id', p_tenant_id::text, true);
          INSERT INTO sessions (user_id, tenant_id, ip_address, user_agent, last_used_at, expires_at)
          VALUES (p_user_id, p_tenant_id, p_ip, p_user_agent, p_now, p_expires_at)
          RETURNING * INTO v_session;
          INSERT INTO refresh_tokens (session_id, token_hash) VALUES (v_session.id, p_token_hash);
          INSERT INTO audit_logs (tenant_id, user_id, action, resource_type, resource_id, ip_address, user_agent,
                                  request_id)
          VALUES (p_tenant_id, p_user_id, 'auth.login', 'session', v_session.id, p_ip, p_user_agent, p_request_id);
          -- The user's row last: concurrent logins of one account hold its lock for the shortest time.
          UPDATE users u
             SET last_login = p_now, password_hash = coalesce(p_rehashed, u.password_hash), updated_at = p_now
           WHERE u.id = p_user_id
           RETURNING u.last_login, u.updated_at INTO v_last_login, v_updated_at;
          IF NOT FOUND THEN
            RAISE EXCEPTION 'login_record: no user % in tenant %', p_user_id, p_tenant_id
              USING ERRCODE = 'no_data_found';
          END IF;
          RETURN QUERY SELECT v_session.id, v_session.user_id, v_session.tenant_id, v_session.ip_address,
                              v_session.user_agent, v_session.created_at, v_session.last_used_at,
                              v_session.expires_at, v_session.revoked_at, v_session.revoke_reason,
                              v_last_login, v_updated_at;
        END
        $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION login_record(uuid, uuid, text, text, timestamptz, timestamptz, text, text, text)`);
  }
}
