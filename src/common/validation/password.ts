import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsString, MinLength, ValidateBy, ValidationOptions } from 'class-validator';

/** bcrypt only looks at the first 72 bytes; longer passwords are refused rather than silently truncated. */
export const MAX_PASSWORD_BYTES = 72;
export const MIN_PASSWORD_LENGTH = 8;

export function MaxBytes(max: number, options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'maxBytes',
      constraints: [max],
      validator: {
        validate: (value: unknown) => typeof value !== 'string' || Buffer.byteLength(value, 'utf8') <= max,
        defaultMessage: (args) => `${args?.property} must be at most ${max} bytes long`,
      },
    },
    options,
  );
}

/** A new password: 8 characters to 72 bytes. */
export function IsNewPassword() {
  return applyDecorators(
    ApiProperty({ minLength: MIN_PASSWORD_LENGTH, description: 'At least 8 characters and at most 72 bytes' }),
    IsString(),
    MinLength(MIN_PASSWORD_LENGTH),
    MaxBytes(MAX_PASSWORD_BYTES),
  );
}
