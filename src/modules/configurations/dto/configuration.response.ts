import { ApiProperty } from '@nestjs/swagger';
import { toCandidateSafe } from '../candidate-view';
import { CONFIG_TYPES, ConfigType } from '../config-shape';
import { CONFIG_SCOPES, ConfigScope, ConfigurationEntity } from '../entities/configuration.entity';

export class ConfigurationResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String, description: 'null for system scope' }) tenant_id:
    string | null;
  @ApiProperty({ enum: CONFIG_TYPES }) config_type: ConfigType;
  @ApiProperty({ enum: CONFIG_SCOPES }) scope: ConfigScope;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Proctors and candidates receive the candidate-safe view: no answer-key fields',
  })
  config_data: Record<string, unknown>;
  @ApiProperty({ example: 1, description: '1, 2, 3… per (tenant or system, type)' }) version: number;
  @ApiProperty({ description: 'Exactly one version per (tenant or system, type) is active, or none' })
  is_active: boolean;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) created_by: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
}

export type ConfigView = 'full' | 'candidate';

export function toConfigurationResponse(row: ConfigurationEntity, view: ConfigView = 'full'): ConfigurationResponse {
  return {
    id: row.id,
    tenant_id: row.tenant_id,
    config_type: row.config_type,
    scope: row.scope,
    config_data: view === 'full' ? row.config_data : toCandidateSafe(row.config_data),
    version: row.version,
    is_active: row.is_active,
    created_by: row.created_by,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
