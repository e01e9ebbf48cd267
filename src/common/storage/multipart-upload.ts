import busboy, { Busboy, FileInfo, FieldInfo } from 'busboy';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, Readable } from 'node:stream';
import { MULTIPART_REQUIRED, REQUEST_ABORTED, StorageErrors } from './storage.errors';

export interface UploadedFileInfo {
  fieldName: string;
  /** The client's name for the file, for display only (see safeDisplayFileName); never a path. */
  fileName: string | undefined;
  /**
   * The part's Content-Type without parameters ('video/webm'), or undefined when none could be read: busboy
   * reports an unparsable type as 'text/plain', and Chrome's MediaRecorder type `video/webm;codecs=vp9,opus`
   * (unquoted comma) is unparsable to it. Either way the content's magic bytes decide.
   */
  mimeType: string | undefined;
}

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
  onFile: (stream: Readable, info: UploadedFileInfo, fieldsSoFar: Readonly<Record<string, string>>) => Promise<T>;
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

/**
 * Feeds the file part to its consumer with backpressure. When the consumer stops (it failed or finished early)
 * the rest of the part is read and dropped, so that busboy can go on parsing the request instead of stalling.
 * busboy's own size limit truncates silently; here it becomes a 413.
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
  file.on('error', (error) => out.destroy(error));
  return out;
}

/**
 * Parses a multipart/form-data request as a stream: text fields are collected (in any order relative to the file),
 * the one file part is handed to `onFile` while it arrives — never buffered whole — and every limit is enforced:
 * file size (413, including busboy's truncation), field count and size, a single file under `fileField` (400).
 *
 * On failure the promise rejects only after onFile has settled (its driver removed any partial object) and a
 * stored file has been discarded through `onDiscard`. The rest of the request is still read and dropped, so the
 * client receives the error response instead of a reset connection — up to the largest request the limits allow;
 * past that the response says `Connection: close` and the socket is dropped after it.
 */
export function parseMultipartUpload<T>(
  req: IncomingMessage,
  options: MultipartUploadOptions<T>,
): Promise<MultipartUploadResult<T>> {
  return new Promise((resolve, reject) => new MultipartUpload(req, options, resolve, reject).start());
}

/** One request's parse: the state machine behind parseMultipartUpload. */
class MultipartUpload<T> {
  private readonly fileField: string;
  private readonly maxFields: number;
  private readonly maxFieldBytes: number;
  private readonly maxRequestBytes: number;
  private readonly fields = Object.create(null) as Record<string, string>;
  private parser: Busboy;
  private failure: unknown = null;
  private fileSeen = false;
  private fileStream: PassThrough | null = null;
  private filePending = false;
  private stored: { result: T } | null = null;
  private parsed = false;
  private bodyRead = false;
  private cut = false;
  private settled = false;
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
      options.maxFileBytes + (this.maxFields + 1) * PART_OVERHEAD_BYTES + this.maxFields * this.maxFieldBytes + ENVELOPE_BYTES;
  }

  start(): void {
    const declaredLength = Number(this.req.headers['content-length']);
    if (Number.isFinite(declaredLength) && declaredLength > this.maxRequestBytes) {
      this.closeConnection();
      this.reject(StorageErrors.payloadTooLarge(this.options.maxFileBytes));
      return;
    }
    try {
      this.parser = this.createParser();
    } catch {
      this.req.resume();
      this.reject(MULTIPART_REQUIRED());
      return;
    }
    this.listenToParser();
    this.listenToRequest();
    this.req.pipe(this.parser);
  }

  private createParser(): Busboy {
    return busboy({
      headers: this.req.headers,
      defParamCharset: 'utf8',
      limits: {
        // busboy reports the limit on *reaching* it; +1 lets a file of exactly maxFileBytes through.
        fileSize: this.options.maxFileBytes + 1,
        files: 1,
        fields: this.maxFields,
        fieldSize: this.maxFieldBytes,
        // Reached only when more parts than maxFields + the file arrived (busboy reports on reaching a limit).
        parts: this.maxFields + 2,
        headerPairs: 16,
      },
    });
  }

  private listenToParser(): void {
    const invalid = (detail: string) => () => this.fail(StorageErrors.invalidMultipart(detail));
    this.parser.on('file', (name: string, file: Readable, info: FileInfo) => this.onFilePart(name, file, info));
    this.parser.on('field', (name: string, value: string, info: FieldInfo) => this.onField(name, value, info));
    this.parser.on('filesLimit', invalid('Only one file may be uploaded'));
    this.parser.on('fieldsLimit', invalid(`At most ${this.maxFields} form fields are allowed`));
    this.parser.on('partsLimit', invalid(`At most ${this.maxFields + 1} form parts are allowed`));
    this.parser.on('error', (error: Error) => {
      // The parser cannot go on: drop the rest of the body ourselves.
      this.req.unpipe(this.parser);
      this.req.resume();
      this.fail(StorageErrors.invalidMultipart(`Malformed multipart body: ${error.message}`));
    });
    this.parser.on('close', () => {
      this.parsed = true;
      this.settle();
    });
  }

  private listenToRequest(): void {
    this.req.on('data', (chunk: Buffer) => {
      this.received += chunk.length;
      if (this.received > this.maxRequestBytes && !this.cut) {
        this.stopReading(StorageErrors.payloadTooLarge(this.options.maxFileBytes));
      }
    });
    this.req.on('end', () => {
      this.bodyRead = true;
      this.settle();
    });
    this.req.on('close', () => {
      if (!this.req.complete && !this.cut) {
        this.stopReading(REQUEST_ABORTED());
      }
    });
  }

  private onFilePart(name: string, file: Readable, info: FileInfo): void {
    if (this.failure !== null || name !== this.fileField || this.fileSeen) {
      const detail = this.fileSeen ? 'Only one file may be uploaded' : `Unexpected file field "${name}"`;
      this.fail(StorageErrors.invalidMultipart(detail));
      file.resume();
      return;
    }
    this.fileSeen = true;
    this.filePending = true;
    const stream = relayFile(file, this.options.maxFileBytes);
    this.fileStream = stream;
    const mimeType = info.mimeType === 'text/plain' ? undefined : info.mimeType;
    let consumed: Promise<T>;
    try {
      consumed = this.options.onFile(stream, { fieldName: name, fileName: info.filename, mimeType }, { ...this.fields });
    } catch (error) {
      consumed = Promise.reject(error);
    }
    consumed
      .then(
        (result) => void (this.stored = { result }),
        (error: unknown) => this.fail(error),
      )
      .finally(() => {
        this.filePending = false;
        this.fileStream = null;
        if (!stream.destroyed) stream.destroy(); // onFile returned without reading it all: drop the rest
        this.settle();
      });
  }

  private onField(name: string, value: string, info: FieldInfo): void {
    if (this.failure !== null) return;
    if (info.nameTruncated || info.valueTruncated) {
      this.fail(StorageErrors.invalidMultipart(`Field "${name}" is longer than ${this.maxFieldBytes} bytes`));
    } else if (this.options.fields.includes(name)) {
      if (name in this.fields) this.fail(StorageErrors.invalidMultipart(`Field "${name}" is repeated`));
      else this.fields[name] = value;
    }
  }

  private fail(error: unknown): void {
    if (this.failure !== null) return;
    this.failure = error;
    this.fileStream?.destroy(error instanceof Error ? error : new Error(String(error)));
    this.settle();
  }

  /** The client went away or sent more than any valid request: stop reading and close after the response. */
  private stopReading(error: unknown): void {
    this.cut = true;
    this.closeConnection();
    this.req.unpipe(this.parser);
    this.parser.destroy();
    this.fail(error);
    this.settle();
  }

  private settle(): void {
    if (this.settled || this.filePending) return;
    if (this.failure === null) {
      if (!this.parsed) return;
      this.settled = true;
      this.resolve({ fields: this.fields, file: this.stored ? this.stored.result : null });
      return;
    }
    if (!this.parsed && !this.bodyRead && !this.cut) return; // still draining the request
    this.settled = true;
    const { stored, failure } = this;
    const discard = stored && this.options.onDiscard ? this.options.onDiscard(stored.result) : Promise.resolve();
    discard.catch(() => undefined).then(() => this.reject(failure));
  }

  /** Express links the response as req.res; without it (plain node:http) no header can be set. */
  private closeConnection(): void {
    const response = (this.req as IncomingMessage & { res?: ServerResponse }).res;
    if (response && !response.headersSent) response.setHeader('Connection', 'close');
  }
}
