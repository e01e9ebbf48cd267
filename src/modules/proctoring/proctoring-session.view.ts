import {
  ProctoringSessionDetailResponse,
  ProctoringSessionResponse,
  SessionReviewResponse,
  TimelineEventResponse,
} from './dto/proctoring-session.response';
import type { ReviewRow, SessionRow, TimelineRow } from './proctoring-sessions.repository';

const iso = (value: Date | null): string | null => (value === null ? null : value.toISOString());

/** Explicit response mappers (no row leaves the service as it is). */
export function toSessionResponse(row: SessionRow): ProctoringSessionResponse {
  return {
    invite_id: row.invite_id,
    attempt_id: row.attempt_id,
    tenant_id: row.tenant_id,
    test_id: row.test_id,
    test_title: row.test_title,
    applicant_name: row.applicant_name,
    applicant_email: row.applicant_email,
    status: row.attempt_status === 'in_progress' ? 'live' : 'ended',
    attempt_status: row.attempt_status,
    started_at: row.started_at.toISOString(),
    deadline: row.deadline.toISOString(),
    submitted_at: iso(row.submitted_at),
    integrity_events: row.integrity_events,
    flags: row.flags,
    messages: row.messages,
    watched_by: [...row.watched_by].sort(),
    review_status: row.review_status,
    reviewed_at: iso(row.reviewed_at),
  };
}

export function toTimelineEvent(row: TimelineRow): TimelineEventResponse {
  return {
    id: row.id,
    type: row.type,
    data: row.data,
    actor: row.actor_user_id === null ? null : { id: row.actor_user_id, name: row.actor_name },
    at: row.created_at.toISOString(),
  };
}

export function toReviewResponse(row: ReviewRow): SessionReviewResponse {
  return {
    status: row.status,
    comment: row.comment,
    reviewed_by: row.reviewed_by === null ? null : { id: row.reviewed_by, name: row.reviewer_name },
    reviewed_at: row.reviewed_at.toISOString(),
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export function toSessionDetail(
  session: SessionRow,
  timeline: TimelineRow[],
  review: ReviewRow | null,
): ProctoringSessionDetailResponse {
  return {
    ...toSessionResponse(session),
    timeline: timeline.map(toTimelineEvent),
    review: review === null ? null : toReviewResponse(review),
  };
}
