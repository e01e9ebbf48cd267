import type { Request, Response } from 'express';
import multer, { MulterError } from 'multer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import { AppError } from '../errors/app-error';
import { MULTIPART_REQUIRED, REQUEST_ABORTED, StorageErrors } from './storage.errors';
import { FileConsumer, StreamingStorageEngine } from './streaming-storage-engine';

export type { UploadedFileInfo, FileConsumer } from './streaming-storage-engine';
export { StreamingStorageEngine } from './streaming-storage-engine';

export interface MultipartUploadOptions<T> {
  maxFileBytes: number;
  /** Text fields to collect. Others (e.g. the first seed's `candidate_name`) are ignored but still count to limits. */
  fields: readonly string[];
  /** Default 'file'. A file under any other name, or a second file, is a 400. */
  fileField?: string;
  /** Text parts allowed in all (default 32) and the size of each (default 8 KiB); past either, 400. */
  maxFields?: number;
  maxFieldBytes?: number;
  /**
   * Consumes the file stream, typically with streamToStorage. It runs as soon as the file part arrives, with the
   * fields received so far: fields sent after the file are only known once the whole request is parsed, so
   * anything that depends on them must be checked afterwards (and the stored file discarded if that fails).
   */
  onFile: FileConsumer<T>;
  /** Undoes onFile's work when the request fails after it succeeded (a second file, a bad field, a disconnect). */
  onDiscard?: (result: T) => Promise<void>;
}

export interface MultipartUploadResult<T> {
  fields: Record<string, string>;
  /** onFile's result, or null when the request had no file part. */
  file: T | null;
}

const DEFAULT_MAX_FIELDS = 32;
const DEFAULT_MAX_FIELD_BYTES = 8 * 1024;
const PART_OVERHEAD_BYTES = 1024;
const ENVELOPE_BYTES = 64 * 1024;

/** multer 2.x lets the caller feed busboy (its JSDoc documents it; @types/multer does not have it yet). */
type StreamHandler = (req: IncomingMessage, parser: Writable) => void;

/**
 * Parses a multipart/form-data request with multer, as a stream: text fields are collected (in any order relative
 * to the file), the one file part is handed to `onFile` while it arrives through StreamingStorageEngine — never
 * buffered whole — and every limit is enforced: file size (413), field count and size, a single file under
 * `fileField` (400). Call it only once the request is authorised: multer reads the body from here on.
 *
 * On failure the promise rejects only after onFile has settled (its driver removed any partial object) and a
 * stored file has been discarded through `onDiscard`. multer reads the rest of the request and drops it, so the
 * client receives the error response instead of a reset connection — up to the largest request the limits allow;
 * past that the response says `Connection: close` and the socket is dropped after it.
 */
export function parseMultipartUpload<T>(
  req: IncomingMessage,
  options: MultipartUploadOptions<T>,
): Promise<MultipartUploadResult<T>> {
  return new Promise((resolve, reject) => new MultipartUpload(req, options, resolve, reject).start());
}

/** One request's parse: multer's middleware called in a promise, plus the request-size bound it lacks. */
class MultipartUpload<T> {
  private readonly fileField: string;
  private readonly maxFields: number;
  private readonly maxFieldBytes: number;
  private readonly maxRequestBytes: number;
  private readonly engine: StreamingStorageEngine<T>;
  private parser: Writable | null = null;
  /** Set by this wrapper (cut, client gone); takes precedence over what multer reports afterwards. */
  private failure: unknown = null;
  private finishing = false;
  private cut = false;
  private received = 0;

  constructor(
    private readonly req: IncomingMessage,
    private readonly options: MultipartUploadOptions<T>,
    private readonly resolve: (result: MultipartUploadResult<T>) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    this.fileField = options.fileField ?? 'file';
    this.maxFields = options.maxFields ?? DEFAULT_MAX_FIELDS;
    this.maxFieldBytes = options.maxFieldBytes ?? DEFAULT_MAX_FIELD_BYTES;
    this.maxRequestBytes =
      options.maxFileBytes +
      (this.maxFields + 1) * PART_OVERHEAD_BYTES +
      this.maxFields * this.maxFieldBytes +
      ENVELOPE_BYTES;
    this.engine = new StreamingStorageEngine(options.maxFileBytes, options.onFile, options.onDiscard);
  }

  start(): void {
    const declaredLength = Number(this.req.headers['content-length']);
    if (Number.isFinite(declaredLength) && declaredLength > this.maxRequestBytes) {
      this.closeConnection();
      this.reject(StorageErrors.payloadTooLarge(this.options.maxFileBytes));
      return;
    }
    const streamHandler: StreamHandler = (req, parser) => {
      this.parser = parser;
      req.pipe(parser);
    };
    const middleware = multer({
      storage: this.engine,
      defParamCharset: 'utf8',
      preservePath: true, // see baseFileName
      limits: {
        fileSize: this.options.maxFileBytes, // multer lets exactly this many bytes through
        files: 1,
        fields: this.maxFields,
        fieldSize: this.maxFieldBytes,
        parts: this.maxFields + 1,
        headerPairs: 16,
      },
      streamHandler,
    } as multer.Options & { streamHandler: StreamHandler }).single(this.fileField);
    this.listenToRequest();
    const response = (this.req as IncomingMessage & { res?: ServerResponse }).res ?? {};
    middleware(this.req as Request, response as Response, (error?: unknown) => void this.onMulterDone(error));
  }

  private listenToRequest(): void {
    this.req.on('data', (chunk: Buffer) => {
      this.received += chunk.length;
      if (this.received > this.maxRequestBytes && !this.cut) {
        this.stopReading(StorageErrors.payloadTooLarge(this.options.maxFileBytes));
      }
    });
    this.req.on('close', () => {
      if (!this.req.complete && !this.cut) {
        this.stopReading(REQUEST_ABORTED());
      }
    });
  }

  /** multer calls back once the whole body is read (after an error too: it drains the request first). */
  private async onMulterDone(error: unknown): Promise<void> {
    if (this.finishing) return;
    if (this.parser === null) {
      // multer never parsed: no multipart body (it passes those through) or a header busboy refuses.
      this.req.resume();
      this.finishing = true;
      this.reject(MULTIPART_REQUIRED());
      return;
    }
    await this.finish(error === undefined || error === null ? this.checkFields() : this.toAppError(error));
  }

  /**
   * The client went away, or sent more than any valid request can hold: stop parsing, fail the file's consumer,
   * answer (with `Connection: close`) without waiting for a body that may never end.
   */
  private stopReading(error: unknown): void {
    this.cut = true;
    this.failure ??= this.engine.failure ?? error;
    this.closeConnection();
    if (this.parser) this.req.unpipe(this.parser);
    this.req.resume();
    this.engine.abort(this.failure);
    void this.finish(this.failure);
  }

  private async finish(failure: unknown): Promise<void> {
    if (this.finishing) return;
    this.finishing = true;
    await this.engine.idle();
    const error = this.failure ?? failure;
    if (error === null) {
      this.resolve({ fields: this.collectedFields(), file: this.engine.stored ? this.engine.stored.result : null });
      return;
    }
    // A failed delete must not replace the request's own error.
    await this.engine.discard().catch(() => undefined);
    this.reject(error);
  }

  private collectedFields(): Record<string, string> {
    const body = ((this.req as { body?: Record<string, unknown> }).body ?? {}) as Record<string, unknown>;
    const fields: Record<string, string> = {};
    for (const name of this.options.fields) {
      if (typeof body[name] === 'string') fields[name] = body[name];
    }
    return fields;
  }

  /** multer keeps a repeated field as an array and `name[key]` as an object: neither is a value the route reads. */
  private checkFields(): AppError | null {
    const body = ((this.req as { body?: Record<string, unknown> }).body ?? {}) as Record<string, unknown>;
    for (const name of this.options.fields) {
      const value = body[name];
      if (value !== undefined && typeof value !== 'string') {
        const detail = Array.isArray(value) ? `Field "${name}" is repeated` : `Field "${name}" must be a plain value`;
        return StorageErrors.invalidMultipart(detail, [{ field: name, message: detail }]);
      }
    }
    return null;
  }

  /** multer's and busboy's errors in the one error body; the consumer's own errors (415, a driver's) stay as they are. */
  private toAppError(error: unknown): unknown {
    if (error instanceof AppError || error === this.engine.unexpectedError) return error;
    if (!(error instanceof MulterError)) {
      const message = error instanceof Error ? error.message : String(error);
      return StorageErrors.invalidMultipart(`Malformed multipart body: ${message}`);
    }
    const invalid = (detail: string, field?: string) =>
      StorageErrors.invalidMultipart(detail, field === undefined ? undefined : [{ field, message: detail }]);
    switch (error.code as string) {
      case 'LIMIT_FILE_SIZE':
        return StorageErrors.payloadTooLarge(this.options.maxFileBytes);
      case 'LIMIT_FILE_COUNT':
        return invalid('Only one file may be uploaded', this.fileField);
      case 'LIMIT_UNEXPECTED_FILE':
        return invalid(`Unexpected file field "${error.field}"; the file goes under "${this.fileField}"`, error.field);
      case 'LIMIT_FIELD_VALUE':
        return invalid(`Field "${error.field}" is longer than ${this.maxFieldBytes} bytes`, error.field);
      case 'LIMIT_FIELD_COUNT':
        return invalid(`At most ${this.maxFields} form fields are allowed`);
      case 'LIMIT_PART_COUNT':
        return invalid(`At most ${this.maxFields + 1} form parts are allowed`);
      default:
        return invalid(`${error.message} (${error.code})`, error.field);
    }
  }

  /** Express links the response as req.res; without it (plain node:http) no header can be set. */
  private closeConnection(): void {
    const response = (this.req as IncomingMessage & { res?: ServerResponse }).res;
    if (response && !response.headersSent) response.setHeader('Connection', 'close');
  }
}
