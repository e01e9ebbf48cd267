import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsNotEmpty, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { normaliseRole, ROLES } from '../../../common/auth/roles';
import { MaxBytes, MAX_PASSWORD_BYTES, MIN_PASSWORD_LENGTH } from '../../../common/validation/password';
import { Trim } from '../../../common/validation/transforms';
import { OptionalNotNull } from '../../../common/validation/optional';

export { OptionalNotNull };

export const DisplayName = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({ description, maxLength: 255 }),
    Trim(),
    IsString(),
    IsNotEmpty(),
    MaxLength(255),
  );

export const CandidateCode = () =>
  applyDecorators(
    ApiPropertyOptional({
      type: String,
      description: 'External candidate code, unique per tenant',
      maxLength: 100,
      nullable: true,
    }),
    Trim(),
    IsString(),
    IsNotEmpty(),
    MaxLength(100),
  );

/** BCP-47-ish language code as the seeds stored it ("en", "fr", "pt-BR"), at most 10 characters. */
export const LanguageCode = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({ description, example: 'en', maxLength: 10 }),
    IsString(),
    MaxLength(10),
    Matches(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/, { message: '$property must be a language code such as "en"' }),
  );

export const UserRole = () =>
  applyDecorators(
    ApiPropertyOptional({ enum: ROLES, description: '"applicant" is accepted as a synonym of candidate' }),
    Transform(({ value }) => normaliseRole(value)),
    IsIn(ROLES),
  );

/** An optional password (admin reset): 8 characters to 72 bytes, like every new password. */
export const OptionalNewPassword = () =>
  applyDecorators(
    ApiPropertyOptional({ minLength: MIN_PASSWORD_LENGTH, description: 'At least 8 characters and at most 72 bytes' }),
    OptionalNotNull(),
    IsString(),
    MinLength(MIN_PASSWORD_LENGTH),
    MaxBytes(MAX_PASSWORD_BYTES),
  );
