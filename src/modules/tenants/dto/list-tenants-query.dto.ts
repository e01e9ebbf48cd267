import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { PaginationQueryDto } from '../../../common/http/pagination';
import { QueryBoolean } from '../../../common/validation/transforms';

export class ListTenantsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Only active tenants' })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  active_only?: boolean;
}
