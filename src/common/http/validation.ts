import { ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError } from '../errors/app-error';
import { VALIDATION_ERROR } from '../errors/common.errors';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({
      field,
      message: message.replace(/^property (\S+) should not exist$/, 'unknown field "$1"'),
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Global validation: DTOs only, unknown fields rejected (no mass assignment), errors as `errors[]`. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => {
      const fieldErrors = flatten(errors);
      return VALIDATION_ERROR(fieldErrors);
    },
  });
}
