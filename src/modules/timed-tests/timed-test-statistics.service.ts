import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import { RequestContext } from '../../common/context/request-context';
import { DatabaseService } from '../../database/database.service';
import { TimedTestCounts } from './dto/timed-test-statistics.response';

const DAY_MS = 86_400_000;

/** One statement: three aggregates over the tenant's (or every tenant's, when $1 is null) rows. */
const COUNTS_SQL = `
  SELECT
    (SELECT json_build_object('total', count(*)::int, 'active', count(*) FILTER (WHERE is_active)::int)
       FROM tests WHERE $1::uuid IS NULL OR tenant_id = $1) AS tests,
    (SELECT json_build_object(
              'total', count(*)::int,
              'sent', count(*) FILTER (WHERE status = 'sent')::int,
              'scheduled', count(*) FILTER (WHERE status = 'scheduled')::int,
              'in_progress', count(*) FILTER (WHERE status = 'in_progress')::int,
              'completed', count(*) FILTER (WHERE status = 'completed')::int,
              'expired', count(*) FILTER (WHERE status = 'expired')::int,
              'cancelled', count(*) FILTER (WHERE status = 'cancelled')::int,
              'last_30_days', count(*) FILTER (WHERE created_at > $2)::int)
       FROM invitations WHERE $1::uuid IS NULL OR tenant_id = $1) AS invitations,
    (SELECT json_build_object(
              'total', count(*)::int,
              'in_progress', count(*) FILTER (WHERE status = 'in_progress')::int,
              'submitted', count(*) FILTER (WHERE status <> 'in_progress')::int,
              'needs_review', count(*) FILTER (
                 WHERE status <> 'in_progress' AND scoring_status IN ('needs_review', 'partially_reviewed'))::int,
              'last_30_days', count(*) FILTER (WHERE started_at > $2)::int,
              -- proctoring: attempts a proctor flagged at least once (ix_attempt_events_flags, migration Proctoring)
              'flagged', (SELECT count(DISTINCT e.attempt_id) FROM attempt_events e
                           WHERE e.type = 'proctor.flag' AND ($1::uuid IS NULL OR e.tenant_id = $1))::int)
       FROM test_attempts WHERE $1::uuid IS NULL OR tenant_id = $1) AS attempts`;

/**
 * Timed-test counts for the tenant statistics and the platform overview. Its own small module so the tenants and
 * statistics modules can use it without depending on the timed-tests features. Callers authorise; this only counts.
 */
@Injectable()
export class TimedTestStatisticsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly clock: Clock,
  ) {}

  countForTenant(ctx: RequestContext, tenantId: string): Promise<TimedTestCounts> {
    return this.db.asTenant(ctx, tenantId, (tx) => this.count(tx, tenantId));
  }

  countForPlatform(ctx: RequestContext): Promise<TimedTestCounts> {
    return this.db.crossTenant(ctx, 'platform statistics', (tx) => this.count(tx, null));
  }

  private async count(ctx: RequestContext, tenantId: string | null): Promise<TimedTestCounts> {
    const since = new Date(this.clock.now().getTime() - 30 * DAY_MS);
    const [row] = await this.db.manager(ctx).query(COUNTS_SQL, [tenantId, since]);
    return row as TimedTestCounts;
  }
}
