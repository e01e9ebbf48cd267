import { ApiProperty } from '@nestjs/swagger';
import { IsObject } from 'class-validator';
import { CONFIG_DATA_DESCRIPTION } from './create-configuration.dto';

/** PUT /{id}: a new version of that configuration's (tenant or system, type) with this data. */
export class UpdateConfigurationDto {
  @ApiProperty({ type: 'object', additionalProperties: true, description: CONFIG_DATA_DESCRIPTION })
  @IsObject()
  config_data: Record<string, unknown>;
}
