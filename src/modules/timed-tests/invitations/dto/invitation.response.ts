import { ApiProperty } from '@nestjs/swagger';
import { EMAIL_STATUSES, INVITATION_STATUSES, InvitationEntity } from '../../entities/invitation.entity';
import type { EmailStatus, InvitationStatus } from '../../entities/invitation.entity';

const iso = (value: Date | null) => (value ? value.toISOString() : null);

/** An invitation as staff see it (the original API's TestInvite, without its token: only its hash is stored). */
export class InvitationResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) tenant_id: string;
  @ApiProperty({ format: 'uuid' }) test_id: string;
  @ApiProperty({ type: String, nullable: true }) test_title: string | null;
  @ApiProperty({ format: 'email' }) applicant_email: string;
  @ApiProperty() applicant_name: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) invited_by: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) scheduled_date: string | null;
  @ApiProperty() admin_scheduled: boolean;
  @ApiProperty() no_schedule: boolean;
  @ApiProperty({ enum: INVITATION_STATUSES }) status: InvitationStatus;
  @ApiProperty() email_sent: boolean;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) email_sent_at: string | null;
  @ApiProperty({ type: String, nullable: true }) email_error: string | null;
  @ApiProperty({ enum: EMAIL_STATUSES }) email_status: EmailStatus;
  @ApiProperty({ format: 'date-time' }) expires_at: string;
  @ApiProperty({ minimum: 0, maximum: 500 }) extra_time_percent: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) started_at: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completed_at: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) cancelled_at: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

/** Returned by create and resend only: the token and the link, which are never shown again. */
export class InvitationWithTokenResponse extends InvitationResponse {
  @ApiProperty({ description: 'The invitation token (43 characters); returned only here and in the e-mail' })
  invite_token: string;

  @ApiProperty({ description: 'The link that opens the test: {PUBLIC_BASE_URL}/take/{token}' })
  invite_link: string;
}

/** What the candidate sees of its invitation (public token routes, my-invites): no token, no e-mail internals. */
export class CandidateInvitationResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) test_id: string;
  @ApiProperty({ type: String, nullable: true }) test_title: string | null;
  @ApiProperty({ format: 'email' }) applicant_email: string;
  @ApiProperty() applicant_name: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) scheduled_date: string | null;
  @ApiProperty() admin_scheduled: boolean;
  @ApiProperty() no_schedule: boolean;
  @ApiProperty({ enum: INVITATION_STATUSES }) status: InvitationStatus;
  @ApiProperty({ format: 'date-time' }) expires_at: string;
  @ApiProperty() extra_time_percent: number;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) started_at: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completed_at: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export function toInvitationResponse(row: InvitationEntity, testTitle: string | null): InvitationResponse {
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    test_id: row.test_id,
    test_title: testTitle,
    applicant_email: row.applicant_email,
    applicant_name: row.applicant_name,
    invited_by: row.invited_by,
    scheduled_date: iso(row.scheduled_date),
    admin_scheduled: row.admin_scheduled,
    no_schedule: row.no_schedule,
    status: row.status,
    email_sent: row.email_sent,
    email_sent_at: iso(row.email_sent_at),
    email_error: row.email_error,
    email_status: row.email_status,
    expires_at: row.expires_at.toISOString(),
    extra_time_percent: row.extra_time_percent,
    started_at: iso(row.started_at),
    completed_at: iso(row.completed_at),
    cancelled_at: iso(row.cancelled_at),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function toCandidateInvitationResponse(
  row: InvitationEntity,
  testTitle: string | null,
): CandidateInvitationResponse {
  return {
    id: row.id,
    test_id: row.test_id,
    test_title: testTitle,
    applicant_email: row.applicant_email,
    applicant_name: row.applicant_name,
    scheduled_date: iso(row.scheduled_date),
    admin_scheduled: row.admin_scheduled,
    no_schedule: row.no_schedule,
    status: row.status,
    expires_at: row.expires_at.toISOString(),
    extra_time_percent: row.extra_time_percent,
    started_at: iso(row.started_at),
    completed_at: iso(row.completed_at),
    created_at: row.created_at.toISOString(),
  };
}
