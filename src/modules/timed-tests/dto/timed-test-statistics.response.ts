import { ApiProperty } from '@nestjs/swagger';

export class TestCounts {
  @ApiProperty({ description: 'Tests, deleted ones included' }) total: number;
  @ApiProperty({ description: 'Tests not deleted' }) active: number;
}

export class InvitationCounts {
  @ApiProperty() total: number;
  @ApiProperty() sent: number;
  @ApiProperty() scheduled: number;
  @ApiProperty() in_progress: number;
  @ApiProperty() completed: number;
  @ApiProperty() expired: number;
  @ApiProperty() cancelled: number;
  @ApiProperty({ description: 'Created in the last 30 days' }) last_30_days: number;
}

export class AttemptCounts {
  @ApiProperty() total: number;
  @ApiProperty() in_progress: number;
  @ApiProperty({ description: 'Finished: submitted, auto-submitted or terminated' }) submitted: number;
  @ApiProperty({ description: 'Finished, with essay or coding answers still to review' }) needs_review: number;
  @ApiProperty({ description: 'Started in the last 30 days' }) last_30_days: number;
  @ApiProperty({ description: 'Proctoring: attempts a proctor flagged at least once' }) flagged: number;
}

/** Timed-test figures of one tenant, or of the whole platform. */
export class TimedTestCounts {
  @ApiProperty({ type: TestCounts }) tests: TestCounts;
  @ApiProperty({ type: InvitationCounts }) invitations: InvitationCounts;
  @ApiProperty({ type: AttemptCounts }) attempts: AttemptCounts;
}
