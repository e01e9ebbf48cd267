import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
  ValidateBy,
} from 'class-validator';
import { Trim } from '../../../common/validation/transforms';
import { TEST_TYPES } from '../../../domain/test-types';
import { Nullable, OptionalNotNull } from '../../../common/validation/optional';

export { Nullable, OptionalNotNull };

export const MAX_BRANDING_BYTES = 16_384;

export const TenantName = () => applyDecorators(Trim(), IsString(), IsNotEmpty(), MaxLength(255));

export const LogoUrl = () =>
  applyDecorators(
    ApiPropertyOptional({ type: String, nullable: true, example: 'https://cdn.example.com/logo.png', maxLength: 2048 }),
    IsString(),
    MaxLength(2048),
    IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false }),
  );

function MaxJsonBytes(max: number) {
  return ValidateBy({
    name: 'maxJsonBytes',
    constraints: [max],
    validator: {
      validate: (value: unknown) => Buffer.byteLength(JSON.stringify(value ?? null), 'utf8') <= max,
      defaultMessage: (args) => `${args?.property} must be at most ${max} bytes of JSON`,
    },
  });
}

export const CustomBranding = () =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'object',
      additionalProperties: true,
      nullable: true,
      description: `Free-form branding settings (colours, texts…), at most ${MAX_BRANDING_BYTES} bytes`,
    }),
    IsObject(),
    MaxJsonBytes(MAX_BRANDING_BYTES),
  );

export const MaxTestAttempts = () =>
  applyDecorators(
    ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 3, description: 'Per candidate and test type' }),
    IsInt(),
    Min(1),
    Max(1000),
  );

/** "jdt" and "JDT" are the same test type; stored upper-case. */
export const AllowedTestTypes = () =>
  applyDecorators(
    ApiPropertyOptional({ enum: TEST_TYPES, isArray: true, default: [...TEST_TYPES] }),
    Transform(({ value }) =>
      Array.isArray(value) ? value.map((item) => (typeof item === 'string' ? item.trim().toUpperCase() : item)) : value,
    ),
    IsArray(),
    ArrayNotEmpty(),
    ArrayUnique(),
    IsIn(TEST_TYPES, { each: true }),
  );
