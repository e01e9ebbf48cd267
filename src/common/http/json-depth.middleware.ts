import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../errors/app-error';

/** Far deeper than any legitimate body; far shallower than what overflows class-transformer's recursion. */
export const MAX_BODY_DEPTH = 100;

/** The nesting depth of a parsed JSON value, found iteratively (stopping at `limit + 1`). */
export function jsonDepth(value: unknown, limit = MAX_BODY_DEPTH): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > limit) return deepest;
    for (const inner of Object.values(current)) stack.push([inner, depth + 1]);
  }
  return deepest;
}

/**
 * JSON.parse accepts any nesting a 1 MB body can hold, but the validation pipe's class-transformer recurses once per
 * level and overflows the stack (a 500) at a few thousand. Such a body is refused here as a 400, before any route.
 */
export function jsonDepthMiddleware(req: Request, _res: Response, next: NextFunction): void {
  if (req.body && typeof req.body === 'object' && jsonDepth(req.body) > MAX_BODY_DEPTH) {
    next(
      AppError.badRequest('BODY_TOO_DEEP', `Request body is nested deeper than ${MAX_BODY_DEPTH} levels`, [
        { field: 'body', message: `must not be nested deeper than ${MAX_BODY_DEPTH} levels` },
      ]),
    );
    return;
  }
  next();
}
