import { MigrationInterface, QueryRunner } from 'typeorm';

const COLUMNS = `
  id uuid, tenant_id uuid, test_id uuid, applicant_email varchar, applicant_name varchar, invited_by uuid,
  expires_at timestamptz, scheduled_date timestamptz, admin_scheduled boolean, no_schedule boolean,
  extra_time_percent integer, status varchar, email_status varchar, email_sent boolean, email_sent_at timestamptz,
  email_error text, started_at timestamptz, completed_at timestamptz, cancelled_at timestamptz,
  created_at timestamptz, updated_at timestamptz,
  attempt_id uuid, attempt_status varchar, attempt_started_at timestamptz, attempt_deadline timestamptz,
  attempt_test_version_id uuid`;

const SELECT = `
  SELECT i.id, i.tenant_id, i.test_id, i.applicant_email, i.applicant_name, i.invited_by, i.expires_at,
         i.scheduled_date, i.admin_scheduled, i.no_schedule, i.extra_time_percent, i.status, i.email_status,
         i.email_sent, i.email_sent_at, i.email_error, i.started_at, i.completed_at, i.cancelled_at, i.created_at,
         i.updated_at, a.id, a.status, a.started_at, a.deadline, a.test_version_id
    FROM invitations i
    LEFT JOIN test_attempts a ON a.invitation_id = i.id
   WHERE i.token_hash = p_hash`;

/**
 * `invitation_by_token(hash, lock)`: the public token routes' lookup — the invitation whose token hashes to `hash`,
 * with its attempt, the invitation row locked as asked (`update`, `share` or `none`; the lock lasts until the end of
 * the caller's transaction). The token is what names the tenant, so the function crosses tenants for the duration
 * of the call only (`SET app.cross_tenant = 'invitation.token'` in its definition, like `session_principal`);
 * `DatabaseService.unitScopedBy` calls it as the first statement of a unit of work and scopes that unit to the row's
 * tenant in the same round trip.
 */
export class InvitationTokenLookup1764060000000 implements MigrationInterface {
  name = 'InvitationTokenLookup1764060000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION invitation_by_token(p_hash bytea, p_lock text)
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
          ELSIF p_lock = 'share' THEN
            PERFORM 1 FROM invitations WHERE token_hash = p_hash FOR SHARE;
          ELSIF p_lock <> 'none' THEN
            RAISE EXCEPTION 'invitation_by_token: lock must be update, share or none' USING ERRCODE = 'invalid_parameter_value';
          END IF;
          RETURN QUERY ${SELECT};
        END
        $$`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION invitation_by_token(bytea, text)`);
  }
}
