import { ApiProperty } from '@nestjs/swagger';
import { AttemptCounts, InvitationCounts, TestCounts } from '../../timed-tests';
import { TEST_TYPES, TestType } from '../../../domain/test-types';
import { TenantEntity } from '../entities/tenant.entity';

export class TenantResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ nullable: true, type: String }) logo_url: string | null;
  @ApiProperty({ nullable: true, type: 'object', additionalProperties: true }) custom_branding: Record<
    string,
    unknown
  > | null;
  @ApiProperty({ example: 3 }) max_test_attempts: number;
  @ApiProperty({ enum: TEST_TYPES, isArray: true }) allowed_test_types: TestType[];
  @ApiProperty() is_active: boolean;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export function toTenantResponse(tenant: TenantEntity): TenantResponse {
  return {
    id: tenant.id,
    name: tenant.name,
    logo_url: tenant.logo_url,
    custom_branding: tenant.custom_branding,
    max_test_attempts: tenant.max_test_attempts,
    allowed_test_types: [...tenant.allowed_test_types] as TestType[],
    is_active: tenant.is_active,
    created_at: tenant.created_at.toISOString(),
    updated_at: tenant.updated_at.toISOString(),
  };
}

export class TenantUserStatistics {
  @ApiProperty({ description: 'All users of the tenant, inactive ones included' }) total: number;
  @ApiProperty() admins: number;
  @ApiProperty() candidates: number;
  @ApiProperty({ description: 'Users who logged in within the last 30 days' }) active_last_30_days: number;
}

export class TenantSubmissionStatistics {
  @ApiProperty() total: number;
  @ApiProperty() jdt: number;
  @ApiProperty() sjt: number;
  @ApiProperty() last_30_days: number;
}

export class TenantStatisticsResponse {
  @ApiProperty({ format: 'uuid' }) tenant_id: string;
  @ApiProperty({ type: TenantUserStatistics }) users: TenantUserStatistics;
  @ApiProperty({ type: TenantSubmissionStatistics }) submissions: TenantSubmissionStatistics;
  @ApiProperty({ type: TestCounts, description: 'Timed tests' }) tests: TestCounts;
  @ApiProperty({ type: InvitationCounts }) invitations: InvitationCounts;
  @ApiProperty({ type: AttemptCounts }) attempts: AttemptCounts;
}
