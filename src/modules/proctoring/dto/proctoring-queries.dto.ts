import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsISO8601, IsOptional, IsUUID } from 'class-validator';
import { PaginationQueryDto } from '../../../common/http/pagination';
import { REVIEW_STATUSES, ReviewStatus } from '../entities/proctoring-review.entity';

export const SESSION_STATUSES = ['live', 'ended'] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

const DateQuery = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: String, example: '2026-01-31', description }),
    IsOptional(),
    IsISO8601({ strict: true }),
  );

/** `GET /api/v1/proctoring/sessions`: skip/limit (X-Total-Count) like every list, and the session filters. */
export class ListSessionsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: SESSION_STATUSES, description: 'live: the attempt is in progress; ended: it is not' })
  @IsOptional()
  @IsIn(SESSION_STATUSES)
  status?: SessionStatus;

  @ApiPropertyOptional({ enum: REVIEW_STATUSES, description: 'not_reviewed also matches sessions never reviewed' })
  @IsOptional()
  @IsIn(REVIEW_STATUSES)
  review_status?: ReviewStatus;

  @ApiPropertyOptional({ format: 'uuid', description: 'Only attempts of this test (any of its versions)' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsUUID('loose')
  test_id?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: "A superadmin: only this tenant's sessions. Anyone else: never widens (another tenant: an empty list)",
  })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsUUID('loose')
  tenant_id?: string;

  @DateQuery('Started on or after (a date: from its start; or a date-time)')
  from?: string;

  @DateQuery('Started on or before (a date: to the end of that day; or a date-time)')
  to?: string;
}
