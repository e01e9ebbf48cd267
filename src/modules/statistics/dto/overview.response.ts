import { ApiProperty } from '@nestjs/swagger';
import { AttemptCounts, InvitationCounts, TestCounts } from '../../timed-tests';

export class CompanyOverview {
  @ApiProperty({ description: 'Client companies (every tenant but the System one), inactive ones included' })
  total: number;
  @ApiProperty() added_last_7_days: number;
}

export class UserOverview {
  @ApiProperty({ description: 'Active user accounts on the platform' }) active_total: number;
  @ApiProperty() added_last_7_days: number;
}

export class SubmissionOverview {
  @ApiProperty() total: number;
  @ApiProperty() last_24_hours: number;
}

export class OverviewResponse {
  @ApiProperty({ type: CompanyOverview }) companies: CompanyOverview;
  @ApiProperty({ type: UserOverview }) users: UserOverview;
  @ApiProperty({ type: SubmissionOverview }) submissions: SubmissionOverview;
  @ApiProperty({ type: TestCounts, description: 'Timed tests, every tenant' }) tests: TestCounts;
  @ApiProperty({ type: InvitationCounts }) invitations: InvitationCounts;
  @ApiProperty({ type: AttemptCounts }) attempts: AttemptCounts;
  @ApiProperty({ format: 'date-time' }) generated_at: string;
}
