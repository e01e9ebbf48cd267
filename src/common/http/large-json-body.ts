import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { UNSUPPORTED_MEDIA_TYPE } from '../errors/common.errors';

/** Receives one request's body, chunk by chunk, as it arrives (after Content-Encoding decoding). */
export interface BodyReceiver {
  /** A decoded chunk (a fresh buffer from the socket or the decoder; the receiver may keep it). */
  push(chunk: Buffer): void;
  /** The body is complete: parse it and set `req.body` (and whatever else the route needs), or reject. */
  finish(): Promise<void>;
  /** The request failed (too large, aborted, undecodable): drop what was received. */
  cancel(): void;
}

export interface LargeJsonBodyOptions {
  method: string;
  /** The route's path, matched exactly (any case, a trailing slash allowed), as Express matches routes. */
  path: string;
  /** Largest body (after gzip/deflate/br decoding) in bytes; past it 413 while reading, before anything runs. */
  limit: number;
  receive: (req: Request) => BodyReceiver;
}

const JSON_TYPES = ['application/json', 'application/*+json'];

/** Shaped like body-parser's errors, so the exception filter answers them exactly like the global parser's. */
function bodyError(status: number, type: string, message: string): Error {
  return Object.assign(new Error(message), { status, statusCode: status, expose: true, type });
}

function decoderFor(encoding: string): Transform | null | undefined {
  if (encoding === 'identity') return null;
  if (encoding === 'gzip' || encoding === 'x-gzip') return createGunzip();
  if (encoding === 'deflate') return createInflate();
  if (encoding === 'br') return createBrotliDecompress();
  return undefined;
}

function charsetOf(req: Request): string | null {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '');
  return match ? match[1].toLowerCase() : null;
}

function hasBody(req: Request): boolean {
  if (req.headers['transfer-encoding'] !== undefined) return true;
  const length = Number(req.headers['content-length']);
  return Number.isFinite(length) && length > 0;
}

/**
 * A JSON body reader for one route whose bodies may be far larger than the global JSON limit. Register it BEFORE
 * the global JSON parser. It streams the body, decoded (gzip, deflate, br; another Content-Encoding is 415), to a
 * BodyReceiver as it arrives — so the route can hand it to a worker thread piece by piece and the event loop never
 * holds or copies the whole body at once — and answers 413 as soon as the declared length or the bytes received
 * pass `limit` (nothing reaches the route). The global parser then skips the request (its body is read). A request
 * with another Content-Type, or without a body, is left untouched: it meets the global pipeline's answer (415/400)
 * like on every other route.
 */
export function largeJsonBody(options: LargeJsonBodyOptions): RequestHandler {
  const path = options.path.replace(/\/+$/, '').toLowerCase();
  const method = options.method.toUpperCase();
  const { limit } = options;
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== method || req.path.replace(/\/+$/, '').toLowerCase() !== path) return next();
    if (!hasBody(req) || !req.is(JSON_TYPES)) return next();
    const charset = charsetOf(req);
    if (charset !== null && charset !== 'utf-8' && charset !== 'utf8') {
      return next(UNSUPPORTED_MEDIA_TYPE(`Unsupported charset "${charset}"`));
    }
    const encoding = String(req.headers['content-encoding'] ?? 'identity')
      .trim()
      .toLowerCase();
    const decoder = decoderFor(encoding);
    if (decoder === undefined) {
      return next(bodyError(415, 'encoding.unsupported', `Unsupported content encoding "${encoding}"`));
    }
    const declared = Number(req.headers['content-length']);
    if (decoder === null && Number.isFinite(declared) && declared > limit) {
      stopReading(req, res);
      return next(bodyError(413, 'entity.too.large', 'request entity too large'));
    }

    const receiver = options.receive(req);
    const stream: Readable = decoder ?? req;
    let received = 0;
    let settled = false;
    const cleanup = () => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      req.off('close', onClose);
      if (decoder) req.off('error', onError);
    };
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      cleanup();
      receiver.cancel();
      if (decoder) {
        req.unpipe(decoder);
        decoder.destroy();
      }
      stopReading(req, res);
      next(error);
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > limit) return fail(bodyError(413, 'entity.too.large', 'request entity too large'));
      try {
        receiver.push(chunk);
      } catch (error) {
        fail(error instanceof Error ? error : new Error(String(error)));
      }
    };
    const onEnd = () => {
      if (settled) return;
      settled = true;
      cleanup();
      receiver.finish().then(
        () => {
          // Express 4's body-parser looks at this flag; body-parser 2 sees that the request stream has ended.
          (req as Request & { _body?: boolean })._body = true;
          next();
        },
        (error: unknown) => next(error),
      );
    };
    const onError = (error: Error) =>
      fail(
        decoder && stream === decoder
          ? bodyError(400, 'encoding.invalid', `The body could not be decoded (${encoding})`)
          : error,
      );
    const onClose = () => {
      if (!req.complete) fail(bodyError(400, 'request.aborted', 'request aborted'));
    };
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    req.on('close', onClose);
    if (decoder) {
      req.on('error', onError);
      req.pipe(decoder);
    }
  };
}

/** After an early answer, the rest of the body is not read: the connection closes once the response is sent. */
function stopReading(req: Request, res: Response): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
  req.pause();
}
