import { HttpStatus } from '@nestjs/common';
import { raw } from 'body-parser';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { AppError } from '../errors/app-error';

export interface LargeJsonBodyOptions<T> {
  method: string;
  /** The route's path, matched exactly (any case, a trailing slash allowed), as Express matches routes. */
  path: string;
  /** Largest body (after gzip/deflate decoding) in bytes; past it 413 while reading, before anything runs. */
  limit: number;
  /**
   * Turns the raw bytes into `req.body` (and whatever else the route needs, set on `req`), or throws an AppError.
   * It owns the buffer (it may transfer it to a worker thread).
   */
  parse: (raw: Buffer, req: Request) => Promise<T>;
}

/**
 * A JSON body parser for one route whose bodies may be far larger than the global JSON limit. It must be registered
 * BEFORE the global JSON parser: it reads the body as raw bytes (body-parser's raw(): Content-Encoding and the
 * byte limit handled, 413 while streaming) and leaves the parsing to `parse`, which can do it off the event loop.
 * The global parser then skips the request (its body is read). A request with another Content-Type is left
 * untouched, so it meets the global parser's answer (415/400) like on every other route.
 */
export function largeJsonBody<T>(options: LargeJsonBodyOptions<T>): RequestHandler {
  const readRaw = raw({ type: ['application/json', 'application/*+json'], limit: options.limit });
  const path = options.path.replace(/\/+$/, '').toLowerCase();
  const method = options.method.toUpperCase();
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== method || req.path.replace(/\/+$/, '').toLowerCase() !== path) return next();
    readRaw(req, res, (error?: unknown) => {
      if (error) return next(error);
      if (!Buffer.isBuffer(req.body)) return next(); // not JSON, or no body: the global pipeline answers
      const body = req.body;
      const charset = charsetOf(req);
      if (charset !== null && charset !== 'utf-8' && charset !== 'utf8') {
        req.body = undefined;
        return next(new AppError('UNSUPPORTED_MEDIA_TYPE', `Unsupported charset "${charset}"`, HttpStatus.UNSUPPORTED_MEDIA_TYPE));
      }
      req.body = undefined;
      options.parse(body, req).then(
        () => {
          // Express 4's body-parser looks at this flag; body-parser 2 sees the request stream has ended.
          (req as Request & { _body?: boolean })._body = true;
          next();
        },
        (parseError: unknown) => next(parseError),
      );
    });
  };
}

function charsetOf(req: Request): string | null {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '');
  return match ? match[1].toLowerCase() : null;
}
