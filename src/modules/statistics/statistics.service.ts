import { Injectable } from '@nestjs/common';
import { AuthenticatedContext } from '../../common/context/request-context';
import { SubmissionStatisticsService } from '../submissions/submission-statistics.service';
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
  ) {}

  async overview(ctx: AuthenticatedContext): Promise<OverviewResponse> {
    const [companies, users, submissions] = await Promise.all([
      this.tenants.countCompanies(ctx),
      this.users.countForPlatform(ctx),
      this.submissions.countForPlatform(ctx),
    ]);
    return { companies, users, submissions, generated_at: new Date().toISOString() };
  }
}
