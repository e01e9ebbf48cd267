import { ApiPropertyOptional } from '@nestjs/swagger';
import { Allow, IsBoolean, IsObject } from 'class-validator';
import type { SubmissionStatus } from '../entities/submission.entity';
import { JsonStorable } from './json-storable';
import { Nullable, OptionalNotNull, StatusField } from './submission-fields';

/**
 * What an administrator (or the analysis job acting with its token) may change. Absent = unchanged.
 * `status: "completed"` and `analysis_completed: true` mean the same thing and record analysis_completed_at.
 */
export class UpdateSubmissionDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'The analysis report (SJT or JDT shape), stored and returned unchanged; null clears it',
  })
  @Nullable()
  @IsObject()
  @JsonStorable()
  analysis_result?: Record<string, unknown> | null;

  @StatusField()
  @OptionalNotNull()
  status?: SubmissionStatus;

  @ApiPropertyOptional({ description: 'true = status "completed"; false reopens a completed submission' })
  @OptionalNotNull()
  @IsBoolean()
  analysis_completed?: boolean;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description:
      'Sent by the frontend of the original Trajectorie API; accepted and ignored (the server records the completion time)',
  })
  @Allow()
  analysis_completed_at?: unknown;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    description: 'Sent by the frontend of the original Trajectorie API; accepted and ignored',
  })
  @Allow()
  regenerated_at?: unknown;
}
