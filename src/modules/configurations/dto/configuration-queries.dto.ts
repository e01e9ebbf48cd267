import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { PaginationQueryDto } from '../../../common/http/pagination';
import { QueryBoolean } from '../../../common/validation/transforms';
import { CONFIG_TYPES, ConfigType } from '../config-shape';
import { ConfigScope } from '../entities/configuration.entity';
import { ConfigTypeField, OptionalScope, OptionalTenantId } from './configuration-fields';

export class ListConfigurationsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: CONFIG_TYPES })
  @IsOptional()
  @ConfigTypeField()
  config_type?: ConfigType;

  @OptionalScope('Only system-scope or only tenant-scope rows')
  scope?: ConfigScope;

  @OptionalTenantId("Only this tenant's rows (superadmin: any tenant; admin: a foreign one matches nothing)")
  tenant_id?: string;

  @ApiPropertyOptional({ type: Boolean, default: false, description: 'Include earlier (inactive) versions' })
  @IsOptional()
  @QueryBoolean()
  @IsBoolean()
  include_inactive?: boolean;
}

/** Which configuration a raw-body POST writes (same rules as scope/tenant_id in the create body). */
export class ConfigTargetQueryDto {
  @OptionalScope('Superadmin: "system" (default) or "tenant". Admin: always its own tenant.')
  scope?: ConfigScope;

  @OptionalTenantId("Superadmin: write this tenant's configuration. Admin: only its own.")
  tenant_id?: string;
}

export class ConfigVersionsQueryDto extends PaginationQueryDto {
  @OptionalScope('"system": the system history. Default: superadmin → system, admin → its tenant')
  scope?: ConfigScope;

  @OptionalTenantId("This tenant's history (superadmin: any; admin: only its own)")
  tenant_id?: string;
}

export class EffectiveConfigQueryDto {
  @OptionalTenantId(
    "Superadmin: this tenant's effective configuration (default: its own tenant). Others: only their own.",
  )
  tenant_id?: string;
}
