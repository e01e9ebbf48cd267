import { Injectable } from '@nestjs/common';
import { AuthenticatedContext } from '../../common/context/request-context';
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
  ) {}

  async overview(ctx: AuthenticatedContext): Promise<OverviewResponse> {
    const [companies, users, submissions, timedTests] = await Promise.all([
      this.tenants.countCompanies(ctx),
      this.users.countForPlatform(ctx),
      this.submissions.countForPlatform(ctx),
      this.timedTests.countForPlatform(ctx),
    ]);
    return { companies, users, submissions, ...timedTests, generated_at: new Date().toISOString() };
  }
}
