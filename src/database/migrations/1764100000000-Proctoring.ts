import { MigrationInterface, QueryRunner } from 'typeorm';
import { disableTenantRls, enableTenantRls } from '../rls';

/**
 * Live proctoring (docs/proctoring.md, "REST"): the review staff give a proctoring session, and the indexes the
 * session list reads through.
 *
 * - `proctoring_reviews`: at most one review per invitation (the session is the invitation's one attempt), upserted
 *   by `PUT /api/v1/proctoring/sessions/{invite_id}/review`; its history is in the attempt's event log (`review`
 *   events) and the audit log.
 * - `ix_attempt_events_attempt_type`: the list's grouped counts (integrity events, flags, messages, watchers) per
 *   attempt of a page; type, actor and tenant (the RLS check) are in it, so a vacuumed table answers from the index.
 * - `ix_attempt_events_watch`: "which attempts did this proctor watch" (a proctor's list and its access to ended
 *   sessions and results) without scanning every event of the tenant.
 * - `ix_attempt_events_flags`: the statistics' count of flagged attempts (flags are rare: a small partial index).
 * - `ix_test_attempts_tenant_started`: the list's order (newest start first) within a tenant.
 */
export class Proctoring1764100000000 implements MigrationInterface {
  name = 'Proctoring1764100000000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE proctoring_reviews (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE RESTRICT,
        invitation_id uuid NOT NULL REFERENCES invitations(id) ON DELETE RESTRICT,
        attempt_id uuid NOT NULL REFERENCES test_attempts(id) ON DELETE RESTRICT,
        status varchar(20) NOT NULL CHECK (status IN ('passed', 'violation', 'suspicious', 'not_reviewed')),
        comment text CHECK (comment IS NULL OR char_length(comment) <= 2000),
        reviewed_by uuid REFERENCES users(id) ON DELETE SET NULL,
        reviewed_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        CONSTRAINT ux_proctoring_reviews_invitation UNIQUE (invitation_id)
      )`);
    await q.query(`CREATE INDEX ix_proctoring_reviews_tenant_status ON proctoring_reviews (tenant_id, status)`);
    await q.query(`CREATE INDEX ix_proctoring_reviews_attempt ON proctoring_reviews (attempt_id)`);
    await enableTenantRls(q, 'proctoring_reviews');

    await q.query(
      `CREATE INDEX ix_attempt_events_attempt_type ON attempt_events (attempt_id, type)
         INCLUDE (actor_user_id, tenant_id)`,
    );
    await q.query(
      `CREATE INDEX ix_attempt_events_watch ON attempt_events (actor_user_id, attempt_id) INCLUDE (tenant_id)
         WHERE type = 'proctor.watch'`,
    );
    await q.query(
      `CREATE INDEX ix_attempt_events_flags ON attempt_events (tenant_id, attempt_id) WHERE type = 'proctor.flag'`,
    );
    await q.query(
      `CREATE INDEX ix_test_attempts_tenant_started ON test_attempts (tenant_id, started_at DESC, id DESC)`,
    );
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX ix_test_attempts_tenant_started`);
    await q.query(`DROP INDEX ix_attempt_events_flags`);
    await q.query(`DROP INDEX ix_attempt_events_watch`);
    await q.query(`DROP INDEX ix_attempt_events_attempt_type`);
    await disableTenantRls(q, 'proctoring_reviews');
    await q.query(`DROP TABLE proctoring_reviews`);
  }
}
