import { Injectable } from '@nestjs/common';
import { AuthenticatedContext } from '../../common/context/request-context';
import { TenantsService } from '../tenants/tenants.service';
import { UsersService } from '../users/users.service';
import { OverviewResponse, SubmissionOverview } from './dto/overview.response';

/** Platform-wide figures for superadmins, gathered from the modules that own the data. */
@Injectable()
export class StatisticsService {
  constructor(
    private readonly tenants: TenantsService,
    private readonly users: UsersService,
  ) {}

  async overview(ctx: AuthenticatedContext): Promise<OverviewResponse> {
    const [companies, users] = await Promise.all([this.tenants.countCompanies(ctx), this.users.countForPlatform(ctx)]);
    return {
      companies,
      users,
      submissions: this.submissionOverview(),
      generated_at: new Date().toISOString(),
    };
  }

  /**
   * There is no submissions table yet, so both counts are zero. Issue 3 (submissions) replaces this method with
   * real counts (all submissions, and those created in the last 24 hours).
   */
  private submissionOverview(): SubmissionOverview {
    return { total: 0, last_24_hours: 0 };
  }
}
