import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { CONFIG_TYPES } from '../config-shape';
import { CONFIG_SCOPES } from '../entities/configuration.entity';

const lowerCase = () => Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));

/** `sjt`, `jdt` or `global`; stored lower-case (the frontends also send `SJT`). */
export const ConfigTypeField = () => applyDecorators(lowerCase(), IsIn(CONFIG_TYPES));

export const OptionalScope = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({ enum: CONFIG_SCOPES, description }),
    IsOptional(),
    lowerCase(),
    IsIn(CONFIG_SCOPES),
  );

export const OptionalTenantId = (description: string) =>
  applyDecorators(ApiPropertyOptional({ format: 'uuid', description }), IsOptional(), lowerCase(), IsUUID('loose'));
