import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { PaginationQueryDto } from '../../../../common/http/pagination';
import { QueryBoolean } from '../../../../common/validation/transforms';

export class ListTestsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Include deleted (inactive) tests' })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  include_inactive?: boolean;
}
