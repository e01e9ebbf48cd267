import type { Readable } from 'node:stream';

export const STORAGE_DRIVER = Symbol('STORAGE_DRIVER');

export type StorageDriverName = 'local' | 's3';

export interface PutOptions {
  /** Stored with the object where the backend keeps metadata (S3); the database row is the source of truth. */
  contentType: string;
  /** More bytes than this → the write is abandoned, nothing is left behind, and put rejects with 413. */
  maxBytes: number;
}

export interface PutResult {
  size: number;
}

export interface StoredObjectInfo {
  size: number;
  lastModified: Date;
  contentType: string | null;
}

/** Inclusive byte offsets, as in an HTTP `Range: bytes=start-end` header (already validated against the size). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface DownloadUrlOptions {
  /** Display name for Content-Disposition (sanitised by the driver). */
  fileName: string;
  contentType: string;
}

/**
 * One interface over local disk and S3. Keys are server-generated relative paths (see storage-key.ts); every
 * method validates them before touching the backend.
 */
export interface StorageDriver {
  readonly name: StorageDriverName;

  /**
   * Streams `body` into a new object. The body is never held in memory whole (the S3 driver holds at most a few
   * multipart parts). Rejects with PAYLOAD_TOO_LARGE (413) past `maxBytes`, STORAGE_KEY_EXISTS (409) when the key
   * is taken — an existing object is never overwritten — and with the body's own error when it fails; in every
   * failure case no object, partial file or pending multipart upload is left behind.
   */
  put(key: string, body: Readable, options: PutOptions): Promise<PutResult>;

  /** null when the object does not exist. */
  stat(key: string): Promise<StoredObjectInfo | null>;

  /** Rejects with STORAGE_OBJECT_NOT_FOUND (404) before any byte is produced when the object does not exist. */
  openRead(key: string, range?: ByteRange): Promise<Readable>;

  /** Idempotent: deleting a missing object succeeds. */
  delete(key: string): Promise<void>;

  /**
   * A time-limited (≤ 15 minutes) direct download link that forces `attachment`, or null when the API must stream
   * the file itself (local disk).
   */
  downloadUrl(key: string, options: DownloadUrlOptions): Promise<string | null>;

  /** Releases connections (called on application shutdown). */
  close?(): Promise<void>;

  /**
   * Removes what writes of a process that died mid-upload left behind (local `.partial-*` files, S3 incomplete
   * multipart uploads under the app's key prefix) once older than `olderThanMs`; returns how many. Run at boot.
   */
  sweepStale?(olderThanMs: number): Promise<number>;

  /** Synchronously discards what the writes still running left so far (called right before a forced exit). */
  abandonInFlight?(): void;
}

/**
 * Leftovers of interrupted writes older than this are swept at boot. Younger ones may belong to another instance
 * sharing the storage, still uploading; no upload lasts this long (README.md "Interrupted uploads").
 */
export const STALE_UPLOAD_MS = 60 * 60 * 1000;
