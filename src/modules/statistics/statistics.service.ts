import { Injectable } from '@nestjs/common';
import { AuthenticatedContext } from '../../common/context/request-context';
import { DatabaseService } from '../../database/database.service';
import { SubmissionStatisticsService } from '../submissions/submission-statistics.service';
import { TimedTestStatisticsService } from '../timed-tests/timed-test-statistics.service';
import { TenantsService } from '../tenants/tenants.service';
import { UserAccountsService } from '../users/user-accounts.service';
import { OverviewResponse } from './dto/overview.response';

/** Platform-wide figures for superadmins, gathered from the modules that own the data. */
@Injectable()
export class StatisticsService {
  constructor(
    private readonly tenants: TenantsService,
    private readonly users: UserAccountsService,
    private readonly submissions: SubmissionStatisticsService,
    private readonly timedTests: TimedTestStatisticsService,
    private readonly db: DatabaseService,
  ) {}

  async overview(ctx: AuthenticatedContext): Promise<OverviewResponse> {
    // Platform-wide counts: one cross-tenant unit of work (the route is the superadmin's only).
    const { companies, users, submissions, timedTests } = await this.db.crossTenant(
      ctx,
      'statistics.platform',
      async (tx) => ({
        companies: await this.tenants.countCompanies(tx),
        users: await this.users.countForPlatform(tx),
        submissions: await this.submissions.countForPlatform(tx),
        timedTests: await this.timedTests.countForPlatform(tx),
      }),
    );
    return { companies, users, submissions, ...timedTests, generated_at: new Date().toISOString() };
  }
}
