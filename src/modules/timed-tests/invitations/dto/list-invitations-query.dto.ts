import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsDateString, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '../../../../common/http/pagination';
import { Trim } from '../../../../common/validation/transforms';
import { INVITATION_STATUSES } from '../../entities/invitation.entity';

export const STATUS_FILTERS = [...INVITATION_STATUSES, 'active', 'all'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

/**
 * Filters of the invitation list. `status`, `email`, `from`/`to` are this API's names; the original API's
 * `status_filter`, `email_search` and `date_filter` (one day, YYYY-MM-DD, UTC) are accepted too.
 */
export class ListInvitationsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: STATUS_FILTERS, description: '`active` = sent or scheduled; `all` = no filter' })
  @IsOptional()
  @IsIn(STATUS_FILTERS)
  status?: StatusFilter;

  @ApiPropertyOptional({ enum: STATUS_FILTERS, description: 'Synonym of `status` (the original API)' })
  @IsOptional()
  @IsIn(STATUS_FILTERS)
  status_filter?: StatusFilter;

  @ApiPropertyOptional({ maxLength: 255, description: 'Part of the applicant e-mail, case-insensitive' })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(255)
  email?: string;

  @ApiPropertyOptional({ maxLength: 255, description: 'Synonym of `email` (the original API)' })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(255)
  email_search?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Created at or after' })
  @IsOptional()
  @IsDateString({ strict: true })
  from?: string;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'Created before' })
  @IsOptional()
  @IsDateString({ strict: true })
  to?: string;

  @ApiPropertyOptional({
    example: '2026-11-29',
    description: 'Created on this day (UTC), YYYY-MM-DD (the original API)',
  })
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, { message: 'date_filter must be YYYY-MM-DD' })
  date_filter?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('loose')
  test_id?: string;
}
