import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { PaginationQueryDto } from '../../../common/http/pagination';
import { Trim } from '../../../common/validation/transforms';

export class ListAuditLogsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ example: 'user.update' })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(100)
  action?: string;

  @ApiPropertyOptional({ example: 'user' })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(100)
  resource_type?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID('loose')
  resource_id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The actor' })
  @IsOptional()
  @IsUUID('loose')
  user_id?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Superadmin: filter by tenant. Admin: only its own tenant is ever listed',
  })
  @IsOptional()
  @IsUUID('loose')
  tenant_id?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Inclusive lower bound on created_at (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Inclusive upper bound on created_at (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}
