import { ApiProperty } from '@nestjs/swagger';
import { TEST_TYPES, TestType } from '../../../domain/test-types';
import { SUBMISSION_STATUSES, SubmissionEntity, SubmissionStatus } from '../entities/submission.entity';

export class SubmissionResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) user_id: string;
  @ApiProperty({ format: 'uuid' }) tenant_id: string;
  @ApiProperty() candidate_name: string;
  @ApiProperty({ nullable: true, type: String }) candidate_id: string | null;
  @ApiProperty({ enum: TEST_TYPES }) test_type: TestType;
  @ApiProperty({ example: 'en' }) candidate_language: string;
  @ApiProperty({ example: 'en' }) ui_language: string;
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description:
      'As submitted, except recordings sent as data URIs (videoDataUri, audioDataUri): those fields hold a fresh ' +
      "download URL of the stored media file (the media list's storage_url, valid ≤ 15 minutes)",
  })
  conversation_history: object[];
  @ApiProperty({ type: 'object', additionalProperties: true, nullable: true }) analysis_result: Record<
    string,
    unknown
  > | null;
  @ApiProperty({ enum: SUBMISSION_STATUSES }) status: SubmissionStatus;
  @ApiProperty() analysis_completed: boolean;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) analysis_completed_at: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'uuid',
    description: 'The effective configuration at create time',
  })
  configuration_id: string | null;
  @ApiProperty({ nullable: true, type: Number }) configuration_version: number | null;
  @ApiProperty({ description: '1-based, per user and test type' }) attempt_number: number;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

/** `conversation` replaces the stored conversation (SubmissionRenderer: recording references become URLs). */
export function toSubmissionResponse(s: SubmissionEntity, conversation?: object[]): SubmissionResponse {
  return {
    id: s.id,
    user_id: s.user_id,
    tenant_id: s.tenant_id,
    candidate_name: s.candidate_name,
    candidate_id: s.candidate_id,
    test_type: s.test_type,
    candidate_language: s.candidate_language,
    ui_language: s.ui_language,
    conversation_history: conversation ?? s.conversation_history,
    analysis_result: s.analysis_result,
    status: s.status,
    analysis_completed: s.analysis_completed,
    analysis_completed_at: s.analysis_completed_at?.toISOString() ?? null,
    configuration_id: s.configuration_id,
    configuration_version: s.configuration_version,
    attempt_number: s.attempt_number,
    created_at: s.created_at.toISOString(),
    updated_at: s.updated_at.toISOString(),
  };
}

export class AttemptsResponse {
  @ApiProperty({ format: 'uuid' }) user_id: string;
  @ApiProperty({ enum: TEST_TYPES }) test_type: TestType;
  @ApiProperty({ description: "Submissions of this user and test type in the user's tenant" }) attempt_count: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: "The tenant's max_test_attempts; null for staff (not limited)",
  })
  max_attempts: number | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Attempts left (never negative); null for staff' })
  remaining: number | null;
}

export class SubmissionDeletedResponse {
  @ApiProperty({ example: 'Submission deleted' }) message: string;
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: 'Media rows removed with it (their stored files are removed too)' })
  media_files_deleted: number;
}
