import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync } from 'node:fs';
import { readdir, readFile, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/**
 * A real S3-compatible server (npm `s3rver`) on 127.0.0.1, a random port and a fresh temporary folder, for the S3
 * storage driver's tests and the S3 e2e runs — no mocks: requests are signed, sent over HTTP and stored on disk.
 *
 * s3rver 3.7 answers AbortMultipartUpload with 405, which would leave the parts of an aborted upload on disk; the
 * one middleware below adds that operation with S3's semantics (204, or 404 NoSuchUpload) over s3rver's own upload
 * folder, so the driver's clean-up can be verified. It answers ListMultipartUploads (GET ?uploads) with 501, so a
 * second middleware lists that folder (Initiated = when the upload's key file was written), in pages of
 * LIST_UPLOADS_PAGE so that callers' pagination is exercised. s3rver also ignores `If-None-Match` on writes (the driver's
 * no-overwrite guarantee there rests on random keys) and does not verify SigV4 signatures, but does check the
 * expiry of presigned URLs.
 */
export interface S3TestServer {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** s3rver's data folder. */
  directory: string;
  /** The variables that point the app at this server (for createTestApp). */
  env: Record<string, string>;
  client: S3Client;
  /** Every object key in the bucket (ListObjectsV2). */
  listKeys(): Promise<string[]>;
  /** Ids of multipart uploads started and neither completed nor aborted (s3rver's upload folder). */
  pendingMultipartUploads(): Promise<string[]>;
  /** How many AbortMultipartUpload requests removed an upload so far. */
  abortedMultipartUploads(): number;
  /** Makes a pending multipart upload look started `ageMs` ago (to ListMultipartUploads). */
  backdateMultipartUpload(uploadId: string, ageMs: number): Promise<void>;
  close(): Promise<void>;
}

type KoaContext = {
  method: string;
  path: string;
  query: Record<string, string | string[] | undefined>;
  status: number;
  type: string;
  body: unknown;
};
type KoaMiddleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;

const S3RVER_CREDENTIAL = 'S3RVER'; // s3rver's built-in account

function abortMultipartUpload(directory: string, onAbort: () => void): KoaMiddleware {
  return async (ctx, next) => {
    const uploadId = ctx.query.uploadId;
    const match = /^\/([a-z0-9.-]+)\/.+$/.exec(ctx.path);
    if (ctx.method !== 'DELETE' || typeof uploadId !== 'string' || !match) return next();
    if (!/^[0-9a-f]{32}$/.test(uploadId)) {
      ctx.status = 404;
      ctx.type = 'application/xml';
      ctx.body = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchUpload</Code></Error>';
      return;
    }
    const folder = join(directory, match[1], '._S3rver_uploads', uploadId);
    const exists = await stat(folder).then(
      () => true,
      () => false,
    );
    if (!exists) {
      ctx.status = 404;
      ctx.type = 'application/xml';
      ctx.body = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchUpload</Code></Error>';
      return;
    }
    await rm(folder, { recursive: true, force: true });
    onAbort();
    ctx.status = 204;
  };
}

const LIST_UPLOADS_PAGE = 2;

const xmlEscape = (value: string): string =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function listMultipartUploads(directory: string): KoaMiddleware {
  return async (ctx, next) => {
    const match = /^\/([a-z0-9.-]+)\/?$/.exec(ctx.path);
    if (ctx.method !== 'GET' || !match || ctx.query.uploads === undefined) return next();
    const bucket = match[1];
    const text = (name: string): string => (typeof ctx.query[name] === 'string' ? (ctx.query[name] as string) : '');
    const prefix = text('prefix');
    const keyMarker = text('key-marker');
    const uploadIdMarker = text('upload-id-marker');
    const folder = join(directory, bucket, '._S3rver_uploads');
    const uploads: { key: string; uploadId: string; initiated: Date }[] = [];
    for (const uploadId of await readdir(folder).catch(() => [] as string[])) {
      const keyFile = join(folder, uploadId, 'key');
      const key = await readFile(keyFile, 'utf8').catch(() => null);
      if (key === null || !key.startsWith(prefix)) continue;
      uploads.push({ key, uploadId, initiated: (await stat(keyFile)).mtime });
    }
    uploads.sort((x, y) => (x.key === y.key ? x.uploadId.localeCompare(y.uploadId) : x.key < y.key ? -1 : 1));
    const after = uploads.filter(
      (u) =>
        !keyMarker ||
        u.key > keyMarker ||
        (u.key === keyMarker && uploadIdMarker !== '' && u.uploadId > uploadIdMarker),
    );
    const page = after.slice(0, LIST_UPLOADS_PAGE);
    const truncated = after.length > page.length;
    const last = page[page.length - 1];
    ctx.status = 200;
    ctx.type = 'application/xml';
    ctx.body =
      '<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<Bucket>${xmlEscape(bucket)}</Bucket><Prefix>${xmlEscape(prefix)}</Prefix>` +
      `<KeyMarker>${xmlEscape(keyMarker)}</KeyMarker><UploadIdMarker>${xmlEscape(uploadIdMarker)}</UploadIdMarker>` +
      (truncated && last
        ? `<NextKeyMarker>${xmlEscape(last.key)}</NextKeyMarker><NextUploadIdMarker>${last.uploadId}</NextUploadIdMarker>`
        : '') +
      `<MaxUploads>${LIST_UPLOADS_PAGE}</MaxUploads><IsTruncated>${truncated}</IsTruncated>` +
      page
        .map(
          (u) =>
            `<Upload><Key>${xmlEscape(u.key)}</Key><UploadId>${u.uploadId}</UploadId>` +
            `<Initiated>${u.initiated.toISOString()}</Initiated><StorageClass>STANDARD</StorageClass></Upload>`,
        )
        .join('') +
      '</ListMultipartUploadsResult>';
  };
}

export async function startS3TestServer(bucket = 'trajectorie-test'): Promise<S3TestServer> {
  const directory = mkdtempSync(join(tmpdir(), 'trajectorie-s3rver-'));
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [] }],
  });
  // Koa composes its middleware when it starts listening: put the shim right before s3rver's router.
  const stack = (server as unknown as { middleware: KoaMiddleware[] }).middleware;
  let aborted = 0;
  stack.splice(
    stack.length - 1,
    0,
    abortMultipartUpload(directory, () => (aborted += 1)),
    listMultipartUploads(directory),
  );
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  const region = 'us-east-1';
  const client = new S3Client({
    region,
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: S3RVER_CREDENTIAL, secretAccessKey: S3RVER_CREDENTIAL },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  let closed = false;
  return {
    endpoint,
    bucket,
    region,
    accessKeyId: S3RVER_CREDENTIAL,
    secretAccessKey: S3RVER_CREDENTIAL,
    directory,
    client,
    env: {
      STORAGE_PROVIDER: 's3',
      AWS_S3_BUCKET: bucket,
      AWS_S3_REGION: region,
      AWS_S3_ENDPOINT: endpoint,
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIAL,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIAL,
    },
    listKeys: async () => {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
        keys.push(...(page.Contents ?? []).map((object) => object.Key ?? ''));
        token = page.NextContinuationToken;
      } while (token);
      return keys.sort();
    },
    abortedMultipartUploads: () => aborted,
    backdateMultipartUpload: async (uploadId, ageMs) => {
      const when = new Date(Date.now() - ageMs);
      await utimes(join(directory, bucket, '._S3rver_uploads', uploadId, 'key'), when, when);
    },
    pendingMultipartUploads: async () =>
      readdir(join(directory, bucket, '._S3rver_uploads')).catch(() => [] as string[]),
    // Idempotent: a test may stop the server (an S3 outage) before the suite's afterAll closes it.
    close: async () => {
      if (closed) return;
      closed = true;
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
