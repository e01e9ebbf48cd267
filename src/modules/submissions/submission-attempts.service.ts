import { Injectable } from '@nestjs/common';
import { AuthenticatedContext } from '../../common/context/request-context';
import { DatabaseService } from '../../database/database.service';
import type { TestType } from '../../domain/test-types';
import { TenantsService } from '../tenants/tenants.service';
import { UserAdministrationService } from '../users/user-administration.service';
import { AttemptsResponse, SubmissionResponse } from './dto/submission.response';
import { SubmissionRenderer } from './embedded-media/submission-renderer';
import { attemptAllowance } from './submission-rules';
import { SubmissionsRepository } from './submissions.repository';

/**
 * Per-user views: attempts used and left, and the latest submission. The user must be one the caller may see
 * (a candidate: itself; an admin: its tenant's non-superadmins; a superadmin: anyone), else 404 USER_NOT_FOUND —
 * the originals answered these for any user of any tenant.
 */
@Injectable()
export class SubmissionAttemptsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly submissions: SubmissionsRepository,
    private readonly tenants: TenantsService,
    private readonly users: UserAdministrationService,
    private readonly renderer: SubmissionRenderer,
  ) {}

  async attempts(ctx: AuthenticatedContext, userId: string, testType: TestType): Promise<AttemptsResponse> {
    const { user, tenant, stats } = await this.db.transaction(ctx, async (tx) => {
      const user = await this.users.get(tx, userId);
      const tenant = await this.tenants.get(tx, user.tenant_id);
      const stats = await this.submissions.attemptStats(tx, userId, testType, user.tenant_id);
      return { user, tenant, stats };
    });
    const allowance = attemptAllowance(user.role, stats.count, tenant.max_test_attempts);
    return {
      user_id: userId,
      test_type: testType,
      attempt_count: stats.count,
      max_attempts: allowance.max_attempts,
      remaining: allowance.remaining,
    };
  }

  /** The newest submission (highest attempt number) among the rows the caller may see, or null. */
  async latest(ctx: AuthenticatedContext, userId: string, testType: TestType): Promise<SubmissionResponse | null> {
    return this.db.transaction(ctx, async (tx) => {
      await this.users.get(tx, userId);
      const submission = await this.submissions.latestVisible(tx, userId, testType);
      return submission ? this.renderer.one(tx, submission) : null;
    });
  }
}
