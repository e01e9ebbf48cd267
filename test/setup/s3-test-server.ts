import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mkdtempSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

/**
 * A real S3-compatible server (npm `s3rver`) on 127.0.0.1, a random port and a fresh temporary folder, for the S3
 * storage driver's tests and the S3 e2e runs — no mocks: requests are signed, sent over HTTP and stored on disk.
 *
 * s3rver 3.7 answers AbortMultipartUpload with 405, which would leave the parts of an aborted upload on disk; the
 * one middleware below adds that operation with S3's semantics (204, or 404 NoSuchUpload) over s3rver's own upload
 * folder, so the driver's clean-up can be verified. s3rver also ignores `If-None-Match` on writes (the driver's
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
    const exists = await stat(folder).then(() => true, () => false);
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
  stack.splice(stack.length - 1, 0, abortMultipartUpload(directory, () => (aborted += 1)));
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
    pendingMultipartUploads: async () =>
      readdir(join(directory, bucket, '._S3rver_uploads')).catch(() => [] as string[]),
    close: async () => {
      client.destroy();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
