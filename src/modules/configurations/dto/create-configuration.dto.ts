import { ApiProperty } from '@nestjs/swagger';
import { IsObject } from 'class-validator';
import { CONFIG_TYPES, ConfigType } from '../config-shape';
import { ConfigScope } from '../entities/configuration.entity';
import { ConfigTypeField, OptionalScope, OptionalTenantId } from './configuration-fields';

export const CONFIG_DATA_DESCRIPTION =
  'The configuration itself (the SJT, JDT or global shape of the original Trajectorie API). Documented keys must have their documented types; other keys ' +
  'are kept unchanged. At most 512 KB of JSON.';

export class CreateConfigurationDto {
  @ApiProperty({ enum: CONFIG_TYPES, example: 'sjt' })
  @ConfigTypeField()
  config_type: ConfigType;

  @ApiProperty({ type: 'object', additionalProperties: true, description: CONFIG_DATA_DESCRIPTION })
  @IsObject()
  config_data: Record<string, unknown>;

  @OptionalScope(
    'Superadmin: "system" (the default when no tenant_id is given) or "tenant". Admin: always its own tenant; "system" is 403.',
  )
  scope?: ConfigScope;

  @OptionalTenantId("Superadmin: write this tenant's configuration. Admin: only its own (a foreign one is 403).")
  tenant_id?: string;
}
