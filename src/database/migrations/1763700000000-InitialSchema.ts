import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1763700000000 implements MigrationInterface {
  name = 'InitialSchema1763700000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS pgcrypto`);
    await q.query(`
      CREATE TABLE tenants (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(255) NOT NULL,
        logo_url text,
        custom_branding jsonb,
        max_test_attempts integer NOT NULL DEFAULT 3 CHECK (max_test_attempts BETWEEN 1 AND 1000),
        allowed_test_types text[] NOT NULL DEFAULT '{JDT,SJT}',
        is_active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX ux_tenants_name ON tenants (lower(name))`);
    await q.query(`
      INSERT INTO tenants (id, name) VALUES ('00000000-0000-0000-0000-000000000001', 'System')`);

    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE RESTRICT,
        email varchar(255) NOT NULL CHECK (email = lower(email)),
        password_hash varchar(255) NOT NULL,
        full_name varchar(255) NOT NULL,
        candidate_id varchar(100),
        role varchar(20) NOT NULL CHECK (role IN ('superadmin', 'admin', 'proctor', 'candidate')),
        preferred_language varchar(10) NOT NULL DEFAULT 'en',
        is_active boolean NOT NULL DEFAULT true,
        last_login timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX ux_users_email ON users (email)`);
    await q.query(
      `CREATE UNIQUE INDEX ux_users_tenant_candidate_id ON users (tenant_id, candidate_id) WHERE candidate_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX ix_users_tenant_created ON users (tenant_id, created_at DESC)`);

    await q.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        ip_address varchar(64),
        user_agent text,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        revoke_reason varchar(50)
      )`);
    await q.query(`CREATE INDEX ix_sessions_user_active ON sessions (user_id) WHERE revoked_at IS NULL`);

    await q.query(`
      CREATE TABLE refresh_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        token_hash char(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        rotated_at timestamptz,
        successor_id uuid REFERENCES refresh_tokens(id) ON DELETE SET NULL,
        successor_cipher text
      )`);
    await q.query(`CREATE UNIQUE INDEX ux_refresh_tokens_hash ON refresh_tokens (token_hash)`);
    await q.query(`CREATE INDEX ix_refresh_tokens_session ON refresh_tokens (session_id)`);

    await q.query(`
      CREATE TABLE audit_logs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid REFERENCES tenants(id) ON DELETE SET NULL,
        user_id uuid REFERENCES users(id) ON DELETE SET NULL,
        action varchar(100) NOT NULL,
        resource_type varchar(100) NOT NULL,
        resource_id uuid,
        old_values jsonb,
        new_values jsonb,
        ip_address varchar(64),
        user_agent text,
        request_id varchar(128),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX ix_audit_logs_tenant_created ON audit_logs (tenant_id, created_at DESC)`);
    await q.query(`CREATE INDEX ix_audit_logs_created ON audit_logs (created_at DESC)`);
    await q.query(`CREATE INDEX ix_audit_logs_resource ON audit_logs (resource_type, resource_id)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_logs`);
    await q.query(`DROP TABLE refresh_tokens`);
    await q.query(`DROP TABLE sessions`);
    await q.query(`DROP TABLE users`);
    await q.query(`DROP TABLE tenants`);
  }
}
