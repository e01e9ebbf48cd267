import type { Request } from 'express';
import type { StorageEngine } from 'multer';
import { PassThrough, Readable } from 'node:stream';
import { AppError } from '../errors/app-error';
import { StorageErrors } from './storage.errors';

export interface UploadedFileInfo {
  fieldName: string;
  /** The client's name for the file, for display only (see safeDisplayFileName); never a path. */
  fileName: string | undefined;
  /**
   * The part's Content-Type without parameters ('video/webm'), or undefined when none could be read: busboy (under
   * multer) reports an unparsable type as 'text/plain', and Chrome's MediaRecorder type `video/webm;codecs=vp9,opus`
   * (unquoted comma) is unparsable to it. Either way the content's magic bytes decide.
   */
  mimeType: string | undefined;
}

/**
 * Consumes the file stream, typically with streamToStorage. It runs as soon as the file part arrives, with the
 * text fields received so far: fields sent after the file are only known once the whole request is parsed.
 */
export type FileConsumer<T> = (
  stream: Readable,
  info: UploadedFileInfo,
  fieldsSoFar: Readonly<Record<string, string>>,
) => Promise<T>;

/**
 * Feeds busboy's file stream to its consumer with backpressure. The consumer may stop early (a 415 on the first
 * bytes, a driver failure): the rest of the part is then read and dropped, because busboy only finishes the form
 * once every file stream has ended — destroying it would stall the parse. busboy's own size limit truncates
 * silently; here it becomes a 413.
 */
function relayFile(file: Readable, maxBytes: number): PassThrough {
  const out = new PassThrough();
  // Errors reach the consumer through its own read; one that lands after it finished reading must not crash.
  out.on('error', () => undefined);
  file.on('data', (chunk: Buffer) => {
    if (!out.destroyed && !out.write(chunk)) file.pause();
  });
  out.on('drain', () => file.resume());
  out.on('close', () => file.resume());
  file.on('end', () => {
    if (!out.destroyed) out.end();
  });
  file.on('limit', () => out.destroy(StorageErrors.payloadTooLarge(maxBytes)));
  file.on('error', (error: Error) => {
    out.destroy(
      error instanceof AppError ? error : StorageErrors.invalidMultipart(`Malformed multipart body: ${error.message}`),
    );
  });
  return out;
}

/**
 * The last segment of a client's file name, as busboy computes it. multer runs busboy with preservePath so that a
 * name which is all path (`../`) still makes the part a file — multer skips a part whose name is empty — and the
 * base name is taken here: such a file is stored, and its display name falls back to Q{n}_{type}{ext}.
 */
export function baseFileName(path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  const base = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  return base === '..' || base === '.' ? '' : base;
}

/** The text fields multer has collected in req.body so far, plain single values only. */
function plainFields(body: unknown): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries((body ?? {}) as Record<string, unknown>)) {
    if (typeof value === 'string') fields[name] = value;
  }
  return fields;
}

/**
 * A multer StorageEngine that streams: `_handleFile` hands multer's file stream (through relayFile) to the consumer
 * — streamToStorage, which sniffs the first bytes and pipes the rest into the storage driver under a byte limit —
 * and never buffers or spools the file. One engine serves one request (parseMultipartUpload builds it), so it keeps
 * that request's outcome: the consumer's result, the work still in flight, and whether the result was discarded.
 */
export class StreamingStorageEngine<T> implements StorageEngine {
  /** The consumer's result once the file is stored. */
  stored: { result: T } | null = null;
  /** The consumer's failure (a 415, a 413, a driver's I/O error), known before multer reports it. */
  failure: unknown = null;
  /** That failure when it is no AppError (a driver's I/O error): surfaced as is, never as a 400. */
  unexpectedError: unknown = null;
  private relay: PassThrough | null = null;
  private inFlight: Promise<void> = Promise.resolve();
  private discarded: Promise<void> | null = null;
  private refusal: unknown = null;

  constructor(
    private readonly maxFileBytes: number,
    private readonly consume: FileConsumer<T>,
    private readonly onDiscard?: (result: T) => Promise<void>,
  ) {}

  _handleFile(
    req: Request,
    file: Express.Multer.File,
    callback: (error?: unknown, info?: Partial<Express.Multer.File>) => void,
  ): void {
    if (this.refusal !== null) {
      file.stream.resume();
      callback(this.refusal);
      return;
    }
    const stream = relayFile(file.stream, this.maxFileBytes);
    this.relay = stream;
    const info: UploadedFileInfo = {
      fieldName: file.fieldname,
      fileName: baseFileName(file.originalname),
      mimeType: file.mimetype === 'text/plain' ? undefined : file.mimetype,
    };
    let consumed: Promise<T>;
    try {
      consumed = this.consume(stream, info, plainFields(req.body));
    } catch (error) {
      consumed = Promise.reject(error);
    }
    this.inFlight = consumed.then(
      (result) => {
        this.settleRelay(stream);
        this.stored = { result };
        callback(null, {});
      },
      (error: unknown) => {
        this.settleRelay(stream);
        this.failure ??= error;
        if (!(error instanceof AppError)) this.unexpectedError ??= error;
        callback(error);
      },
    );
  }

  /** Multer's clean-up after a failed request (a second file, a field over its limit…): the stored object goes. */
  _removeFile(_req: Request, _file: Express.Multer.File, callback: (error: Error | null) => void): void {
    this.discard().then(
      () => callback(null),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    );
  }

  /** The request failed before or while the file streamed: the consumer fails too, and later files are refused. */
  abort(error: unknown): void {
    if (this.refusal === null) this.refusal = error;
    this.relay?.destroy(error instanceof Error ? error : new Error(String(error)));
  }

  /** Resolves once the consumer has settled (its driver has removed whatever a failure left). */
  idle(): Promise<void> {
    return this.inFlight.catch(() => undefined); // its outcome is in stored / failure
  }

  /** Deletes the stored object, once, however many of multer and the caller ask. */
  discard(): Promise<void> {
    const { stored, onDiscard } = this;
    if (!stored || !onDiscard) return Promise.resolve();
    this.discarded ??= onDiscard(stored.result);
    return this.discarded;
  }

  private settleRelay(stream: PassThrough): void {
    if (this.relay === stream) this.relay = null;
    if (!stream.destroyed) stream.destroy(); // the consumer returned without reading it all: drop the rest
  }
}
