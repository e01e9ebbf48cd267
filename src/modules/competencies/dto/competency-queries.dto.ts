import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsUUID } from 'class-validator';
import { PaginationQueryDto } from '../../../common/http/pagination';
import { QueryBoolean } from '../../../common/validation/transforms';
import { LowerCaseUuid } from './competency-fields';

const TenantIdQuery = (description: string) =>
  applyDecorators(ApiPropertyOptional({ format: 'uuid', description }), IsOptional(), LowerCaseUuid(), IsUUID('loose'));

export class ListCompetenciesQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({
    type: Boolean,
    default: false,
    description: 'Admins and superadmins: include deactivated entries',
  })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  include_inactive?: boolean;

  @TenantIdQuery(
    "Superadmin: only this tenant's dictionary. Others: their own tenant is always listed (a foreign one matches nothing)",
  )
  tenant_id?: string;
}

/** GET/PUT/DELETE by code: the code is looked up in one tenant only. */
export class CompetencyLookupQueryDto {
  @TenantIdQuery('Superadmin: the tenant to look in (default: System). Others: only their own (another one is 404)')
  tenant_id?: string;
}

export class DeleteCompetencyQueryDto extends CompetencyLookupQueryDto {
  @ApiPropertyOptional({ type: Boolean, default: false, description: 'true: delete the row; default: deactivate it' })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  hard?: boolean;
}
