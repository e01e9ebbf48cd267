import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import type { Response } from 'express';
import { QueryInt } from '../validation/transforms';

/** `skip`/`limit` on every list (default 0/100, limit ≤ 500); the total goes in X-Total-Count. */
export class PaginationQueryDto {
  // Bounded so that a huge number is a 400 here, not an out-of-range bigint OFFSET (a 500) in PostgreSQL.
  @ApiPropertyOptional({ default: 0, minimum: 0, maximum: Number.MAX_SAFE_INTEGER })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  skip: number = 0;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 500 })
  @IsOptional()
  @QueryInt()
  @IsInt()
  @Min(1)
  @Max(500)
  limit: number = 100;
}

export interface Page<T> {
  items: T[];
  total: number;
}

export function sendPage<T>(res: Response, page: Page<T>): T[] {
  res.setHeader('X-Total-Count', String(page.total));
  return page.items;
}

/** OpenAPI description of the X-Total-Count header every list sends. */
export const TOTAL_COUNT_HEADER = {
  'X-Total-Count': { description: 'Total number of matching rows (before skip/limit)', schema: { type: 'integer' } },
};
