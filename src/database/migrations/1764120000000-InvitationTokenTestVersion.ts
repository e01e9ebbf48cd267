import { MigrationInterface, QueryRunner } from 'typeorm';
import { InvitationTokenLookup1764060000000 } from './1764060000000-InvitationTokenLookup';

const COLUMNS = `
  id uuid, tenant_id uuid, test_id uuid, applicant_email varchar, applicant_name varchar, invited_by uuid,
  expires_at timestamptz, scheduled_date timestamptz, admin_scheduled boolean, no_schedule boolean,
  extra_time_percent integer, status varchar, email_status varchar, email_sent boolean, email_sent_at timestamptz,
  email_error text, started_at timestamptz, completed_at timestamptz, cancelled_at timestamptz,
  created_at timestamptz, updated_at timestamptz,
  attempt_id uuid, attempt_status varchar, attempt_started_at timestamptz, attempt_deadline timestamptz,
  attempt_test_version_id uuid,
  test_current_version_id uuid, test_is_active boolean, test_version_frozen boolean`;

const SELECT = `
  SELECT i.id, i.tenant_id, i.test_id, i.applicant_email, i.applicant_name, i.invited_by, i.expires_at,
         i.scheduled_date, i.admin_scheduled, i.no_schedule, i.extra_time_percent, i.status, i.email_status,
         i.email_sent, i.email_sent_at, i.email_error, i.started_at, i.completed_at, i.cancelled_at, i.created_at,
         i.updated_at, a.id, a.status, a.started_at, a.deadline, a.test_version_id,
         t.current_version_id, t.is_active,
         CASE WHEN a.id IS NULL THEN
           EXISTS (SELECT 1 FROM test_attempts u WHERE u.test_version_id = t.current_version_id)
         END
    FROM invitations i
    LEFT JOIN test_attempts a ON a.invitation_id = i.id
    JOIN tests t ON t.id = i.test_id
   WHERE i.token_hash = p_hash`;

/**
 * `invitation_by_token(hash, lock)` (migration 1764060000000) also returns what a new attempt needs of the test: its
 * current version, whether the test is active, and — while the invitation has no attempt — whether that version is
 * frozen (it has attempts: an edit then makes a new version, so its content never changes again and the app may serve
 * it from its per-process cache instead of reading the test, the version and the questions). A new lock mode, `start`,
 * locks the invitation FOR UPDATE and its test FOR SHARE until the caller's transaction ends, as the start's read of
 * the current version held it before, so an edit or a delete cannot slip in between the lookup and the attempt's
 * insert. The lock order is unchanged: the invitation, then its test.
 *
 * The return type changes, so the function is dropped and created again (in one migration transaction).
 */
export class InvitationTokenTestVersion1764120000000 implements MigrationInterface {
  name = 'InvitationTokenTestVersion1764120000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION invitation_by_token(bytea, text)`);
    await q.query(`
      CREATE FUNCTION invitation_by_token(p_hash bytea, p_lock text)
        RETURNS TABLE (${COLUMNS})
        LANGUAGE plpgsql VOLATILE
        SET app.cross_tenant = 'invitation.token'
        AS $$
        #variable_conflict use_column
        BEGIN
          -- Lock first, then read in a statement of its own: a VOLATILE function takes a new snapshot per statement,
          -- so a waiter sees what the holder of the lock committed (the attempt a parallel start created) — a join
          -- locked in one statement would re-check the invitation only and hand back the attempt as it was.
          IF p_lock = 'update' THEN
            PERFORM 1 FROM invitations WHERE token_hash = p_hash FOR UPDATE;
          ELSIF p_lock = 'start' THEN
            PERFORM 1 FROM invitations WHERE token_hash = p_hash FOR UPDATE;
            PERFORM 1 FROM tests t JOIN invitations i ON i.test_id = t.id WHERE i.token_hash = p_hash FOR SHARE OF t;
          ELSIF p_lock = 'share' THEN
            PERFORM 1 FROM invitations WHERE token_hash = p_hash FOR SHARE;
          ELSIF p_lock <> 'none' THEN
            RAISE EXCEPTION 'invitation_by_token: lock must be update, start, share or none' USING ERRCODE = 'invalid_parameter_value';
          END IF;
          RETURN QUERY ${SELECT};
        END
        $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION invitation_by_token(bytea, text)`);
    await new InvitationTokenLookup1764060000000().up(q);
  }
}
