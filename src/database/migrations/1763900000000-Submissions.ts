import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Interview submissions (SJT/JDT conversation + analysis report) and their media files.
 *
 * - Users and tenants are deactivated, never deleted, so their foreign keys RESTRICT: erasing a candidate's data
 *   goes through the submissions API, which also removes the stored files (a cascade here would orphan them).
 * - created_at uses clock_timestamp(), not the transaction's start time: creates of one user and test type are
 *   serialised by an advisory lock, and the attempt that got the lock later must not look older.
 * - configuration_id/configuration_version record the effective configuration at create time. No foreign key:
 *   configurations are immutable versions that are deactivated, never deleted, and the pair is a snapshot.
 * - analysis_completed mirrors status = 'completed', and analysis_completed_at is set exactly when it is true.
 */
export class Submissions1763900000000 implements MigrationInterface {
  name = 'Submissions1763900000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE submissions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE RESTRICT,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE RESTRICT,
        candidate_name varchar(255) NOT NULL,
        candidate_id varchar(100),
        test_type varchar(10) NOT NULL CHECK (test_type IN ('JDT', 'SJT')),
        candidate_language varchar(10) NOT NULL DEFAULT 'en',
        ui_language varchar(10) NOT NULL DEFAULT 'en',
        conversation_history jsonb NOT NULL CHECK (jsonb_typeof(conversation_history) = 'array'),
        analysis_result jsonb CHECK (analysis_result IS NULL OR jsonb_typeof(analysis_result) = 'object'),
        status varchar(20) NOT NULL DEFAULT 'submitted'
          CHECK (status IN ('submitted', 'analyzing', 'completed', 'failed')),
        analysis_completed boolean NOT NULL DEFAULT false,
        analysis_completed_at timestamptz,
        configuration_id uuid,
        configuration_version integer,
        attempt_number integer NOT NULL CHECK (attempt_number >= 1),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT ck_submissions_completed_status CHECK (analysis_completed = (status = 'completed')),
        CONSTRAINT ck_submissions_completed_at CHECK ((analysis_completed_at IS NOT NULL) = analysis_completed)
      )`);
    await q.query(`CREATE INDEX ix_submissions_tenant_created ON submissions (tenant_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX ix_submissions_created ON submissions (created_at DESC, id DESC)`);
    // Serves the (user_id, test_type) lookups (attempt counts, latest) and guards the numbering.
    await q.query(
      `CREATE UNIQUE INDEX ux_submissions_user_type_attempt ON submissions (user_id, test_type, attempt_number)`,
    );

    await q.query(`
      CREATE TABLE media_files (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE RESTRICT,
        submission_id uuid NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
        storage_key text NOT NULL,
        storage_provider varchar(10) NOT NULL DEFAULT 'local' CHECK (storage_provider IN ('local', 's3')),
        file_name varchar(255) NOT NULL,
        file_type varchar(10) NOT NULL CHECK (file_type IN ('video', 'audio')),
        mime_type varchar(255) NOT NULL,
        file_size bigint NOT NULL CHECK (file_size >= 0),
        question_index integer NOT NULL CHECK (question_index >= 0),
        scenario_id varchar(100),
        is_follow_up boolean NOT NULL DEFAULT false,
        follow_up_sequence integer NOT NULL DEFAULT 0 CHECK (follow_up_sequence >= 0),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      )`);
    // Server-generated keys are never reused: an upload can never overwrite an earlier one.
    await q.query(`CREATE UNIQUE INDEX ux_media_files_storage_key ON media_files (storage_provider, storage_key)`);
    await q.query(`CREATE INDEX ix_media_files_submission ON media_files (submission_id, question_index, created_at)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE media_files`);
    await q.query(`DROP TABLE submissions`);
  }
}
