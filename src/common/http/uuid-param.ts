import { Param, PipeTransform } from '@nestjs/common';
import { INVALID_ID } from '../errors/common.errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

class ParseUuidPipe implements PipeTransform<string, string> {
  constructor(private readonly name: string) {}

  transform(value: string): string {
    if (!isUuid(value)) {
      throw INVALID_ID(this.name);
    }
    return value.toLowerCase();
  }
}

/** A route parameter that must be a UUID: a malformed one is a 400, never a 500 from the database. */
export const UuidParam = (name = 'id') => Param(name, new ParseUuidPipe(name));
