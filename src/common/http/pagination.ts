import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { QueryInt } from '../validation/transforms';

/** The most rows one list request returns. */
export const MAX_PAGE_SIZE = 500;

/**
 * `limit` as an integer, clamped to MAX_PAGE_SIZE: a client asking for more (the first seed's superadmin page asks
 * for 2000) gets the first 500 and X-Total-Count still tells the whole. Anything not a positive integer stays as it
 * is, for the validators to refuse.
 */
const PageSize = () =>
  Transform(({ value }) => {
    const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    return typeof number === 'number' && Number.isInteger(number) && number > MAX_PAGE_SIZE ? MAX_PAGE_SIZE : number;
  });

/** `skip`/`limit` on every list (default 0/100; a limit over 500 is clamped to 500); the total goes in X-Total-Count. */
export class PaginationQueryDto {
  // Bounded so that a huge number is a 400 here, not an out-of-range bigint OFFSET (a 500) in PostgreSQL.
  @ApiPropertyOptional({ default: 0, minimum: 0, maximum: Number.MAX_SAFE_INTEGER })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  skip: number = 0;

  @ApiPropertyOptional({
    default: 100,
    minimum: 1,
    description: `Rows to return; more than ${MAX_PAGE_SIZE} is clamped to ${MAX_PAGE_SIZE}`,
  })
  @IsOptional()
  @PageSize()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = 100;
}

/** What a list service returns; `@Endpoint({ ok: pageOf(T) })` sends the items with X-Total-Count. */
export interface Page<T> {
  items: T[];
  total: number;
}

/** OpenAPI description of the X-Total-Count header every list sends. */
export const TOTAL_COUNT_HEADER = {
  'X-Total-Count': { description: 'Total number of matching rows (before skip/limit)', schema: { type: 'integer' } },
};
