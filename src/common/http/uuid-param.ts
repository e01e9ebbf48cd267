import { Param, PipeTransform } from '@nestjs/common';
import { AppError } from '../errors/app-error';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

class ParseUuidPipe implements PipeTransform<string, string> {
  constructor(private readonly name: string) {}

  transform(value: string): string {
    if (!isUuid(value)) {
      throw AppError.badRequest('INVALID_ID', `${this.name} must be a UUID`, [
        { field: this.name, message: `${this.name} must be a UUID` },
      ]);
    }
    return value.toLowerCase();
  }
}

/** A route parameter that must be a UUID: a malformed one is a 400, never a 500 from the database. */
export const UuidParam = (name = 'id') => Param(name, new ParseUuidPipe(name));
