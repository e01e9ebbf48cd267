import { Injectable } from '@nestjs/common';
import { RequestContext } from '../../common/context/request-context';
import { DatabaseService } from '../../database/database.service';

export interface TenantSubmissionCounts {
  total: number;
  jdt: number;
  sjt: number;
  last_30_days: number;
}

export interface PlatformSubmissionCounts {
  total: number;
  last_24_hours: number;
}

/**
 * Submission counts for the tenant statistics and the platform overview. Its own small module
 * (SubmissionStatisticsModule) so TenantsModule can use it while SubmissionsModule uses TenantsService, without a
 * module cycle. Callers authorise; these methods only count.
 */
@Injectable()
export class SubmissionStatisticsService {
  constructor(private readonly db: DatabaseService) {}

  async countForTenant(ctx: RequestContext, tenantId: string): Promise<TenantSubmissionCounts> {
    const [row] = await this.db.manager(ctx).query(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE test_type = 'JDT')::int AS jdt,
              count(*) FILTER (WHERE test_type = 'SJT')::int AS sjt,
              count(*) FILTER (WHERE created_at > now() - interval '30 days')::int AS last_30_days
         FROM submissions
        WHERE tenant_id = $1`,
      [tenantId],
    );
    return row as TenantSubmissionCounts;
  }

  async countForPlatform(ctx: RequestContext): Promise<PlatformSubmissionCounts> {
    const [row] = await this.db.manager(ctx).query(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE created_at > now() - interval '24 hours')::int AS last_24_hours
         FROM submissions`,
    );
    return row as PlatformSubmissionCounts;
  }
}
