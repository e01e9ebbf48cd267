import { ValidateBy } from 'class-validator';

export const MAX_JSON_DEPTH = 64;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why a JSON value could not be stored in a jsonb column as given, or null when it can. PostgreSQL rejects the
 * NUL character and unpaired UTF-16 surrogates in jsonb strings (and keys), and very deep nesting would exhaust its
 * stack; found here, they are a 400 instead of a 500. Iterative, so a hostile nesting cannot overflow ours.
 */
export function jsonStorageProblem(value: unknown, maxDepth = MAX_JSON_DEPTH): string | null {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) return 'must not contain the NUL character';
      if (LONE_SURROGATE.test(current)) return 'must not contain unpaired UTF-16 surrogates';
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth >= maxDepth) return `must not be nested deeper than ${maxDepth} levels`;
    if (Array.isArray(current)) {
      for (const item of current) stack.push([item, depth + 1]);
      continue;
    }
    for (const [key, inner] of Object.entries(current)) {
      stack.push([key, depth + 1]);
      stack.push([inner, depth + 1]);
    }
  }
  return null;
}

/** Validation decorator for free-form JSON stored in jsonb (see jsonStorageProblem). */
export const JsonStorable = () =>
  ValidateBy({
    name: 'jsonStorable',
    validator: {
      validate: (value: unknown) => jsonStorageProblem(value) === null,
      defaultMessage: (args) => `${args?.property} ${jsonStorageProblem(args?.value) ?? 'is not storable'}`,
    },
  });
