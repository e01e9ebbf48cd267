import { ApiProperty } from '@nestjs/swagger';
import { REVIEW_STATUSES, ReviewStatus } from '../entities/proctoring-review.entity';
import { SESSION_STATUSES, SessionStatus } from './proctoring-queries.dto';

/** The timed-test attempt statuses (the timed-tests module's; repeated here, its entities being private to it). */
export const ATTEMPT_STATUSES = ['in_progress', 'submitted', 'auto_submitted', 'terminated'] as const;
export type AttemptStatus = (typeof ATTEMPT_STATUSES)[number];

/** A user named on a session (who watched, acted, reviewed); name null when the caller cannot see that user. */
export class UserRef {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ type: String, nullable: true }) name: string | null;
}

/** One attempt as a proctoring session (docs/proctoring.md, "REST"). */
export class ProctoringSessionResponse {
  @ApiProperty({ format: 'uuid' }) invite_id: string;
  @ApiProperty({ format: 'uuid' }) attempt_id: string;
  @ApiProperty({ format: 'uuid' }) tenant_id: string;
  @ApiProperty({ format: 'uuid' }) test_id: string;
  @ApiProperty({ description: 'Title of the version taken' }) test_title: string;
  @ApiProperty() applicant_name: string;
  @ApiProperty() applicant_email: string;
  @ApiProperty({ enum: SESSION_STATUSES, description: 'live while the attempt is in progress' })
  status: SessionStatus;
  @ApiProperty({ enum: ATTEMPT_STATUSES }) attempt_status: AttemptStatus;
  @ApiProperty({ format: 'date-time' }) started_at: string;
  @ApiProperty({ format: 'date-time' }) deadline: string;
  @ApiProperty({ format: 'date-time', type: String, nullable: true }) submitted_at: string | null;
  @ApiProperty({ description: 'integrity.* events the candidate page reported' }) integrity_events: number;
  @ApiProperty({ description: 'proctor.flag events' }) flags: number;
  @ApiProperty({ description: 'proctor.message events' }) messages: number;
  @ApiProperty({ type: [String], description: 'Ids of the staff users who watched (proctor.watch), sorted' })
  watched_by: string[];
  @ApiProperty({ enum: REVIEW_STATUSES, description: 'not_reviewed until someone reviews it' })
  review_status: ReviewStatus;
  @ApiProperty({ format: 'date-time', type: String, nullable: true }) reviewed_at: string | null;
}

/** One entry of the attempt's event log. */
export class TimelineEventResponse {
  @ApiProperty({ description: 'The event id (a number as a string; increasing)' }) id: string;
  @ApiProperty({ example: 'integrity.tab_hidden' }) type: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data: Record<string, unknown>;
  @ApiProperty({ type: UserRef, nullable: true, description: 'The staff user who acted; null for the candidate' })
  actor: UserRef | null;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class SessionReviewResponse {
  @ApiProperty({ enum: REVIEW_STATUSES }) status: ReviewStatus;
  @ApiProperty({ type: String, nullable: true }) comment: string | null;
  @ApiProperty({ type: UserRef, nullable: true }) reviewed_by: UserRef | null;
  @ApiProperty({ format: 'date-time' }) reviewed_at: string;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export class ProctoringSessionDetailResponse extends ProctoringSessionResponse {
  @ApiProperty({ type: [TimelineEventResponse], description: "The attempt's events, oldest first" })
  timeline: TimelineEventResponse[];
  @ApiProperty({ type: SessionReviewResponse, nullable: true }) review: SessionReviewResponse | null;
}

export class IceServersResponse {
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'RTCIceServer objects; TURN entries carry time-limited username/credential when TURN_SECRET is set',
  })
  ice_servers: object[];
  @ApiProperty({ description: 'Seconds the TURN credentials stay valid' }) ttl_seconds: number;
}
