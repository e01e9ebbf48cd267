import { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { AppError } from '../errors/app-error';
import { VALIDATION_ERROR } from '../errors/common.errors';

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why a string cannot be stored as text, or null. PostgreSQL refuses the NUL character in text and jsonb, and a
 * lone UTF-16 surrogate (valid in a JSON escape, "\ud800") is no character at all: both are refused at the edge
 * as a 400 naming the field instead of failing in the database as a 500.
 */
export function textProblem(value: string): string | null {
  if (value.includes('\u0000')) return 'must not contain the NUL character';
  if (LONE_SURROGATE.test(value)) return 'must not contain unpaired UTF-16 surrogates';
  return null;
}

export function invalidText(field: string, problem: string): AppError {
  return VALIDATION_ERROR([{ field, message: `${field} ${problem}` }]);
}

/** The first string in `value` (a query or params object, or one of their values) that cannot be stored. */
function findInvalidText(value: unknown, field: string): AppError | null {
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? invalidText(field, problem) : null;
  }
  if (value === null || typeof value !== 'object') return null;
  // Query strings nest only as deep as the query parser allows (Express's default parser: not at all).
  for (const [key, inner] of Object.entries(value)) {
    const name = field ? `${field}.${key}` : key;
    const keyProblem = textProblem(key);
    if (keyProblem) return invalidText(name, keyProblem);
    const error = findInvalidText(inner, name);
    if (error) return error;
  }
  return null;
}

/**
 * Global pipe for route parameters and the query string (bodies are checked once, before parsing ends, by the
 * body-shape middleware): any NUL or lone surrogate is a 400 naming the parameter.
 */
export class TextSafetyPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'query' && metadata.type !== 'param') return value;
    const error = findInvalidText(value, metadata.data ?? '');
    if (error) throw error;
    return value;
  }
}
