import { MigrationInterface, QueryRunner } from 'typeorm';
import { enableTenantRls } from '../rls';

/**
 * Timed tests (the second seed): tests and their immutable versions, questions, invitations, attempts, answers, the
 * attempts' append-only event log and the e-mail outbox.
 *
 * - A test's questions belong to a test *version*. Editing a test that no attempt has used rewrites its current
 *   version; once an attempt used it, an edit makes version + 1 and moves `tests.current_version_id`. Attempts point
 *   at the version they were started on, so their questions and answers never change afterwards. Questions are never
 *   deleted (answers reference them with RESTRICT).
 * - One attempt per invitation (`ux_test_attempts_invitation`): start is idempotent by construction.
 * - Invitation tokens are stored only as their SHA-256 (`token_hash`); the token itself is returned once.
 * - attempt_events is append-only: a trigger refuses UPDATE and DELETE.
 * - Timestamps that order events use clock_timestamp() (several events can share a transaction).
 */
export class TimedTests1764000000000 implements MigrationInterface {
  name = 'TimedTests1764000000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE tests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE RESTRICT,
        title varchar(255) NOT NULL,
        description text NOT NULL DEFAULT '',
        duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
        pass_mark_percent numeric(5,2) CHECK (pass_mark_percent IS NULL OR pass_mark_percent BETWEEN 0 AND 100),
        current_version_id uuid,
        version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        is_active boolean NOT NULL DEFAULT true,
        deleted_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT ck_tests_deleted CHECK ((deleted_at IS NULL) = is_active)
      )`);
    await q.query(`CREATE INDEX ix_tests_tenant_created ON tests (tenant_id, created_at DESC, id DESC)`);

    await q.query(`
      CREATE TABLE test_versions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE RESTRICT,
        test_id uuid NOT NULL REFERENCES tests(id) ON DELETE RESTRICT,
        version integer NOT NULL CHECK (version >= 1),
        title varchar(255) NOT NULL,
        description text NOT NULL DEFAULT '',
        duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
        pass_mark_percent numeric(5,2) CHECK (pass_mark_percent IS NULL OR pass_mark_percent BETWEEN 0 AND 100),
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT ux_test_versions_test_version UNIQUE (test_id, version)
      )`);
    await q.query(`
      ALTER TABLE tests ADD CONSTRAINT fk_tests_current_version
        FOREIGN KEY (current_version_id) REFERENCES test_versions(id) DEFERRABLE INITIALLY DEFERRED`);

    await q.query(`
      CREATE TABLE questions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE RESTRICT,
        test_version_id uuid NOT NULL REFERENCES test_versions(id) ON DELETE RESTRICT,
        position integer NOT NULL CHECK (position >= 0),
        type varchar(20) NOT NULL CHECK (type IN ('multiple_choice', 'multi_select', 'essay', 'coding')),
        question text NOT NULL,
        options jsonb CHECK (options IS NULL OR jsonb_typeof(options) = 'array'),
        correct_answer text,
        correct_answers jsonb CHECK (correct_answers IS NULL OR jsonb_typeof(correct_answers) = 'array'),
        expected_language varchar(50),
        points integer NOT NULL DEFAULT 1 CHECK (points BETWEEN 0 AND 1000),
        CONSTRAINT ux_questions_version_position UNIQUE (test_version_id, position)
      )`);

    await q.query(`
      CREATE TABLE invitations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE RESTRICT,
        test_id uuid NOT NULL REFERENCES tests(id) ON DELETE RESTRICT,
        applicant_email varchar(255) NOT NULL,
        applicant_name varchar(255) NOT NULL,
        invited_by uuid REFERENCES users(id) ON DELETE SET NULL,
        token_hash bytea NOT NULL,
        expires_at timestamptz NOT NULL,
        scheduled_date timestamptz,
        admin_scheduled boolean NOT NULL DEFAULT false,
        no_schedule boolean NOT NULL DEFAULT false,
        extra_time_percent integer NOT NULL DEFAULT 0 CHECK (extra_time_percent BETWEEN 0 AND 500),
        status varchar(20) NOT NULL DEFAULT 'sent'
          CHECK (status IN ('sent', 'scheduled', 'in_progress', 'completed', 'expired', 'cancelled')),
        email_status varchar(20) NOT NULL DEFAULT 'pending' CHECK (email_status IN ('pending', 'sent', 'failed')),
        email_sent boolean NOT NULL DEFAULT false,
        email_sent_at timestamptz,
        email_error text,
        started_at timestamptz,
        completed_at timestamptz,
        cancelled_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE UNIQUE INDEX ux_invitations_token_hash ON invitations (token_hash)`);
    await q.query(`CREATE INDEX ix_invitations_tenant_created ON invitations (tenant_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX ix_invitations_tenant_email ON invitations (tenant_id, lower(applicant_email))`);
    await q.query(`CREATE INDEX ix_invitations_test_status ON invitations (test_id, status)`);
    await q.query(
      `CREATE INDEX ix_invitations_open_expiry ON invitations (expires_at) WHERE status IN ('sent', 'scheduled')`,
    );

    await q.query(`
      CREATE TABLE test_attempts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE RESTRICT,
        invitation_id uuid NOT NULL REFERENCES invitations(id) ON DELETE RESTRICT,
        test_id uuid NOT NULL REFERENCES tests(id) ON DELETE RESTRICT,
        test_version_id uuid NOT NULL REFERENCES test_versions(id) ON DELETE RESTRICT,
        applicant_email varchar(255) NOT NULL,
        status varchar(20) NOT NULL DEFAULT 'in_progress'
          CHECK (status IN ('in_progress', 'submitted', 'auto_submitted', 'terminated')),
        started_at timestamptz NOT NULL,
        deadline timestamptz NOT NULL,
        submitted_at timestamptz,
        auto_score numeric(6,2),
        manual_score numeric(10,2),
        final_score numeric(6,2),
        scoring_status varchar(20) CHECK (scoring_status IN
          ('auto_only', 'needs_review', 'partially_reviewed', 'fully_reviewed')),
        passed boolean,
        reviewed_by uuid REFERENCES users(id) ON DELETE SET NULL,
        review_completed_at timestamptz,
        idempotency_key varchar(255),
        submit_response jsonb,
        is_monitored boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT ck_test_attempts_deadline CHECK (deadline > started_at),
        CONSTRAINT ck_test_attempts_submitted CHECK ((submitted_at IS NULL) = (status = 'in_progress'))
      )`);
    await q.query(`CREATE UNIQUE INDEX ux_test_attempts_invitation ON test_attempts (invitation_id)`);
    await q.query(
      `CREATE INDEX ix_test_attempts_tenant_submitted ON test_attempts (tenant_id, submitted_at DESC, id DESC)`,
    );
    await q.query(`CREATE INDEX ix_test_attempts_test ON test_attempts (test_id)`);
    await q.query(`CREATE INDEX ix_test_attempts_version ON test_attempts (test_version_id)`);
    await q.query(
      `CREATE INDEX ix_test_attempts_open_deadline ON test_attempts (deadline) WHERE status = 'in_progress'`,
    );
    await q.query(
      `CREATE INDEX ix_test_attempts_review ON test_attempts (tenant_id, submitted_at)
         WHERE scoring_status IN ('needs_review', 'partially_reviewed')`,
    );

    await q.query(`
      CREATE TABLE attempt_answers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE RESTRICT,
        attempt_id uuid NOT NULL REFERENCES test_attempts(id) ON DELETE CASCADE,
        question_id uuid NOT NULL REFERENCES questions(id) ON DELETE RESTRICT,
        answer jsonb NOT NULL,
        saved_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        is_correct boolean,
        auto_points numeric(10,2),
        manual_score numeric(10,2),
        manual_score_status varchar(20) CHECK (manual_score_status IN ('pending', 'correct', 'wrong', 'partial')),
        reviewer_id uuid REFERENCES users(id) ON DELETE SET NULL,
        review_comments text,
        reviewed_at timestamptz,
        CONSTRAINT ux_attempt_answers_question UNIQUE (attempt_id, question_id)
      )`);

    await q.query(`
      CREATE TABLE attempt_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE RESTRICT,
        attempt_id uuid REFERENCES test_attempts(id) ON DELETE RESTRICT,
        invitation_id uuid NOT NULL REFERENCES invitations(id) ON DELETE RESTRICT,
        type varchar(50) NOT NULL,
        data jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(data) = 'object'),
        actor_user_id uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX ix_attempt_events_invitation ON attempt_events (invitation_id, id)`);
    await q.query(`CREATE INDEX ix_attempt_events_attempt ON attempt_events (attempt_id, id)`);
    await q.query(`
      CREATE FUNCTION attempt_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'attempt_events is append-only' USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await q.query(`
      CREATE TRIGGER tr_attempt_events_append_only BEFORE UPDATE OR DELETE ON attempt_events
        FOR EACH ROW EXECUTE FUNCTION attempt_events_append_only()`);

    await q.query(`
      CREATE TABLE email_outbox (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE RESTRICT,
        invitation_id uuid REFERENCES invitations(id) ON DELETE SET NULL,
        kind varchar(20) NOT NULL CHECK (kind IN ('invitation', 'resend', 'reminder')),
        to_address varchar(255) NOT NULL,
        subject varchar(500) NOT NULL,
        text_body text NOT NULL,
        html_body text NOT NULL,
        status varchar(20) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        sent_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    await q.query(`CREATE INDEX ix_email_outbox_pending ON email_outbox (next_attempt_at) WHERE status = 'pending'`);
    await q.query(`CREATE INDEX ix_email_outbox_invitation ON email_outbox (invitation_id)`);

    for (const table of [
      'tests',
      'test_versions',
      'questions',
      'invitations',
      'test_attempts',
      'attempt_answers',
      'attempt_events',
      'email_outbox',
    ]) {
      await enableTenantRls(q, table);
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE email_outbox`);
    await q.query(`DROP TABLE attempt_events`);
    await q.query(`DROP FUNCTION attempt_events_append_only()`);
    await q.query(`DROP TABLE attempt_answers`);
    await q.query(`DROP TABLE test_attempts`);
    await q.query(`DROP TABLE invitations`);
    await q.query(`DROP TABLE questions`);
    await q.query(`ALTER TABLE tests DROP CONSTRAINT fk_tests_current_version`);
    await q.query(`DROP TABLE test_versions`);
    await q.query(`DROP TABLE tests`);
  }
}
