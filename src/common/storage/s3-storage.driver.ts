import {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  S3Client,
  S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Logger } from '@nestjs/common';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Readable } from 'node:stream';
import { ByteLimit } from './byte-limit';
import { contentDisposition } from './content-disposition';
import {
  ByteRange,
  DownloadUrlOptions,
  PutOptions,
  PutResult,
  StorageDriver,
  StoredObjectInfo,
} from './storage-driver';
import { assertSafeStorageKey, STORAGE_KEY_PREFIX } from './storage-key';
import { StorageErrors } from './storage.errors';

/** Presigned links never live longer than this (README, "Using real services": S3). */
export const MAX_PRESIGN_SECONDS = 15 * 60;
/** S3's minimum part size. At most (QUEUE_SIZE + 1) parts of one upload are held in memory (≈ 15 MiB). */
const PART_SIZE = 5 * 1024 * 1024;
const QUEUE_SIZE = 2;

export interface S3StorageOptions {
  bucket: string;
  region: string;
  /** For S3-compatible stores (MinIO, Ceph, s3rver…): path-style addressing is used. */
  endpoint?: string | null;
  /** Omitted → the SDK's default chain (environment, shared config, instance/task role). */
  accessKeyId?: string | null;
  secretAccessKey?: string | null;
  presignSeconds?: number;
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function errorName(error: unknown): string | undefined {
  return (error as { name?: string } | undefined)?.name;
}

/**
 * Objects in one bucket. Uploads stream through `@aws-sdk/lib-storage` (one PutObject up to 5 MiB, multipart
 * beyond) with `If-None-Match: *`, so an existing key is never overwritten on stores that support conditional
 * writes (AWS S3, MinIO, R2); stores that ignore the header (s3rver) still never see a reused key, because keys
 * carry 64 random bits. When the body overflows or fails, the multipart upload is aborted after every in-flight
 * part has settled, so no object and no pending upload remain. Those of a process that died mid-upload are aborted
 * by sweepStale() at the next boot (a bucket lifecycle rule "abort incomplete multipart uploads after 1 day" is a
 * further net).
 */
export class S3StorageDriver implements StorageDriver {
  readonly name = 's3' as const;
  readonly client: S3Client;
  private readonly bucket: string;
  private readonly presignSeconds: number;
  private readonly logger = new Logger('S3Storage');

  constructor(options: S3StorageOptions) {
    this.bucket = options.bucket;
    this.presignSeconds = Math.min(options.presignSeconds ?? MAX_PRESIGN_SECONDS, MAX_PRESIGN_SECONDS);
    const config: S3ClientConfig = { region: options.region };
    if (options.accessKeyId && options.secretAccessKey) {
      config.credentials = { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey };
    }
    if (options.endpoint) {
      config.endpoint = options.endpoint;
      config.forcePathStyle = true;
      // S3-compatible stores commonly reject the SDK's default CRC32 trailers (aws-chunked uploads).
      config.requestChecksumCalculation = 'WHEN_REQUIRED';
      config.responseChecksumValidation = 'WHEN_REQUIRED';
    }
    this.client = new S3Client(config);
  }

  async put(key: string, body: Readable, options: PutOptions): Promise<PutResult> {
    assertSafeStorageKey(key);
    const limit = new ByteLimit(options.maxBytes);
    body.on('error', (error) => limit.destroy(error));
    body.pipe(limit);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: limit, ContentType: options.contentType, IfNoneMatch: '*' },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      // The driver aborts the multipart upload itself, once, after all parts settled, keeping the original error.
      leavePartsOnError: true,
    });
    try {
      await upload.done();
      return { size: limit.bytes };
    } catch (error) {
      body.destroy();
      limit.destroy();
      if (upload.uploadId) await this.abortMultipart(key, upload.uploadId);
      if (limit.exceeded) throw StorageErrors.payloadTooLarge(options.maxBytes);
      if (httpStatus(error) === 412 || errorName(error) === 'PreconditionFailed') throw StorageErrors.keyExists();
      throw error;
    }
  }

  async stat(key: string): Promise<StoredObjectInfo | null> {
    assertSafeStorageKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        size: head.ContentLength ?? 0,
        lastModified: head.LastModified ?? new Date(0),
        contentType: head.ContentType ?? null,
      };
    } catch (error) {
      if (httpStatus(error) === 404) return null;
      throw error;
    }
  }

  async openRead(key: string, range?: ByteRange): Promise<Readable> {
    assertSafeStorageKey(key);
    try {
      const object = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end}` : undefined,
        }),
      );
      return object.Body as Readable;
    } catch (error) {
      if (httpStatus(error) === 404) throw StorageErrors.objectNotFound();
      if (httpStatus(error) === 416) {
        const info = await this.stat(key);
        throw StorageErrors.rangeNotSatisfiable(info?.size ?? 0);
      }
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertSafeStorageKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (httpStatus(error) !== 404) throw error;
    }
  }

  async downloadUrl(key: string, options: DownloadUrlOptions): Promise<string> {
    assertSafeStorageKey(key);
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: key,
      ResponseContentDisposition: contentDisposition(options.fileName),
      ResponseContentType: options.contentType,
    });
    return getSignedUrl(this.client, command, { expiresIn: this.presignSeconds });
  }

  async close(): Promise<void> {
    this.client.destroy();
  }

  /**
   * Aborts the multipart uploads under the app's key prefix started more than `olderThanMs` ago: a process killed
   * mid-upload never aborted them, and their parts are billed until then. Younger ones may be another instance's
   * uploads in progress. Uploads outside the prefix are not the app's and are left alone.
   */
  async sweepStale(olderThanMs: number): Promise<number> {
    const cutoff = Date.now() - olderThanMs;
    let aborted = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await this.client.send(
        new ListMultipartUploadsCommand({
          Bucket: this.bucket,
          Prefix: STORAGE_KEY_PREFIX,
          KeyMarker: keyMarker,
          UploadIdMarker: uploadIdMarker,
        }),
      );
      for (const upload of page.Uploads ?? []) {
        if (!upload.Key || !upload.UploadId || !upload.Key.startsWith(STORAGE_KEY_PREFIX)) continue;
        if (!upload.Initiated || upload.Initiated.getTime() >= cutoff) continue;
        if (await this.abortMultipart(upload.Key, upload.UploadId)) aborted += 1;
      }
      if (!page.IsTruncated || (!page.NextKeyMarker && !page.NextUploadIdMarker)) return aborted;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
  }

  /** True when this call removed the upload. */
  private async abortMultipart(key: string, uploadId: string): Promise<boolean> {
    try {
      await this.client.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }));
      return true;
    } catch (error) {
      // NoSuchUpload: already gone. Anything else is left to the bucket's lifecycle rule; the caller's error wins.
      if (httpStatus(error) !== 404) {
        this.logger.warn(`AbortMultipartUpload failed for ${key}: ${(error as Error).message}`);
      }
      return false;
    }
  }
}
