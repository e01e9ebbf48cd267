import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { normaliseRole, Role, ROLES } from '../../../common/auth/roles';
import { PaginationQueryDto } from '../../../common/http/pagination';
import { QueryBoolean, Trim } from '../../../common/validation/transforms';

export class ListUsersQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: ROLES })
  @IsOptional()
  @Transform(({ value }) => normaliseRole(value))
  @IsIn(ROLES)
  role?: Role;

  @ApiPropertyOptional({ type: Boolean })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  is_active?: boolean;

  @ApiPropertyOptional({ description: 'Case-insensitive substring of the e-mail or the name' })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(255)
  search?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Superadmin: filter by tenant. Admin: only its own tenant is ever listed',
  })
  @IsOptional()
  @IsUUID('loose')
  tenant_id?: string;
}
