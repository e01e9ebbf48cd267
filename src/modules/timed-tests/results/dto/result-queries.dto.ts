import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsUUID, Max, Min } from 'class-validator';
import { PaginationQueryDto } from '../../../../common/http/pagination';
import { QueryInt } from '../../../../common/validation/transforms';

const DateQuery = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: String, example: '2026-01-31', description }),
    IsOptional(),
    IsISO8601({ strict: true }),
  );

/** Filters shared by the results list and the CSV export. */
export class ResultFiltersDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only results of this test (any of its versions)' })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsUUID('loose')
  test_id?: string;

  @DateQuery('Submitted on or after (a date: from its start; or a date-time). Alias: `from`')
  start_date?: string;

  @DateQuery('Submitted on or before (a date: to the end of that day; or a date-time). Alias: `to`')
  end_date?: string;

  @DateQuery('Alias of start_date')
  from?: string;

  @DateQuery('Alias of end_date')
  to?: string;
}

/**
 * `skip`/`limit` → a plain array with X-Total-Count; `page` (1-based, the original Pre-Interview Test API's) → the envelope
 * `{results, pagination}` with `limit` defaulting to 10 as the original API did.
 */
export class ListResultsQueryDto extends ResultFiltersDto {
  @ApiPropertyOptional({
    minimum: 1,
    description: "1-based page: answers with the original Pre-Interview Test API's envelope",
  })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page?: number;

  @ApiPropertyOptional({ default: 0, minimum: 0 })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  skip?: number;

  @ApiPropertyOptional({ minimum: 1, description: 'Default 100 (10 with `page`); more than 500 is clamped to 500' })
  @IsOptional()
  @Transform(({ value }) => {
    const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    return typeof n === 'number' && Number.isInteger(n) && n > 500 ? 500 : n;
  })
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

export class ReviewQueueQueryDto extends PaginationQueryDto {}
