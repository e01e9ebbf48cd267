import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsNotEmpty, IsObject, IsString, Matches, MaxLength, ValidateBy } from 'class-validator';
import { Trim } from '../../../common/validation/transforms';
import { Nullable, OptionalNotNull } from '../../../common/validation/optional';

export { Nullable, OptionalNotNull };

export const MAX_TRANSLATIONS_BYTES = 65_536;
const MAX_TRANSLATIONS_DEPTH = 8;

/** Single-line text: no control characters (PostgreSQL also refuses NUL in text). */
const SINGLE_LINE = /^[^\u0000-\u001f\u007f]*$/;
const NO_NUL = /^[^\u0000]*$/;

export const CompetencyCode = (required: boolean) =>
  applyDecorators(
    (required ? ApiProperty : ApiPropertyOptional)({
      example: 'CUST_FOCUS',
      maxLength: 100,
      description: 'Trimmed; unique in the tenant, case-insensitively',
    }),
    Trim(),
    IsString(),
    IsNotEmpty(),
    MaxLength(100),
    Matches(SINGLE_LINE, { message: '$property must not contain control characters' }),
  );

export const CompetencyName = (required: boolean) =>
  applyDecorators(
    (required ? ApiProperty : ApiPropertyOptional)({ example: 'Customer Focus', maxLength: 255 }),
    Trim(),
    IsString(),
    IsNotEmpty(),
    MaxLength(255),
    Matches(SINGLE_LINE, { message: '$property must not contain control characters' }),
  );

export const ShortText = (maxLength: number, description?: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: String, nullable: true, maxLength, description }),
    Trim(),
    IsString(),
    MaxLength(maxLength),
    Matches(SINGLE_LINE, { message: '$property must not contain control characters' }),
  );

export const LongText = (maxLength: number) =>
  applyDecorators(
    ApiPropertyOptional({ type: String, nullable: true, maxLength }),
    IsString(),
    MaxLength(maxLength),
    Matches(NO_NUL, { message: '$property must not contain NUL characters' }),
  );

/** jsonb refuses `\u0000`; deep nesting is refused so nothing recursive over it can blow the stack. */
function storableJson(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return !value.includes('\u0000');
  if (typeof value !== 'object' || value === null) return true;
  if (depth >= MAX_TRANSLATIONS_DEPTH) return false;
  return Object.entries(value).every(([key, inner]) => !key.includes('\u0000') && storableJson(inner, depth + 1));
}

export const Translations = () =>
  applyDecorators(
    ApiPropertyOptional({
      type: 'object',
      additionalProperties: true,
      nullable: true,
      example: { fr: { competency_name: 'Orientation client' } },
      description: `Free-form, per language; at most ${MAX_TRANSLATIONS_BYTES} bytes of JSON`,
    }),
    IsObject(),
    ValidateBy({
      name: 'storableJson',
      validator: {
        validate: (value: unknown) =>
          storableJson(value) && Buffer.byteLength(JSON.stringify(value ?? null), 'utf8') <= MAX_TRANSLATIONS_BYTES,
        defaultMessage: () =>
          `translations must be at most ${MAX_TRANSLATIONS_BYTES} bytes of JSON, ${MAX_TRANSLATIONS_DEPTH} levels deep, without NUL characters`,
      },
    }),
  );

export const LowerCaseUuid = () =>
  Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value));
