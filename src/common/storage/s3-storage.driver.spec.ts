import { CreateMultipartUploadCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { MEDIA_HEADS, NON_MEDIA_HEADS, mediaBytes } from '../../../test/setup/media-fixtures';
import { S3TestServer, startS3TestServer } from '../../../test/setup/s3-test-server';
import { requireMedia } from './media-type';
import { MAX_PRESIGN_SECONDS, S3StorageDriver } from './s3-storage.driver';
import { STALE_UPLOAD_MS } from './storage-driver';
import { storageKey } from './storage-key';
import { InvalidStorageKeyError } from './storage.errors';
import { streamToStorage } from './stream-to-storage';

const MiB = 1024 * 1024;

/** `total` bytes of a repeatable pattern in 64 KiB chunks, produced lazily. */
function generated(total: number, seed = 7): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const size = Math.min(64 * 1024, total - sent);
      const chunk = Buffer.alloc(size);
      for (let i = 0; i < size; i += 1) chunk[i] = (sent + i + seed) & 0xff;
      sent += size;
      this.push(chunk);
    },
  });
}

function failingAfter(bytes: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytes) return void this.destroy(new Error('client went away'));
      sent += 256 * 1024;
      this.push(Buffer.alloc(256 * 1024, 3));
    },
  });
}

async function digest(stream: Readable): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('S3StorageDriver against a real S3-compatible server (s3rver)', () => {
  let s3: S3TestServer;
  let driver: S3StorageDriver;
  const key = (ext = '.webm'): string =>
    storageKey({ tenantId: randomUUID(), submissionId: randomUUID(), questionIndex: 0, extension: ext });

  beforeAll(async () => {
    s3 = await startS3TestServer();
    driver = new S3StorageDriver({
      bucket: s3.bucket,
      region: s3.region,
      endpoint: s3.endpoint,
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
    });
  });

  afterAll(async () => {
    await driver?.close();
    await s3?.close();
  });

  async function expectBucketUnchanged(keysBefore: string[]): Promise<void> {
    expect(await s3.listKeys()).toEqual(keysBefore);
    expect(await s3.pendingMultipartUploads()).toEqual([]);
  }

  it('puts, stats, reads, range-reads and deletes', async () => {
    const data = randomBytes(200_000);
    const k = key();
    await expect(driver.put(k, Readable.from([data]), { contentType: 'video/webm', maxBytes: MiB })).resolves.toEqual({
      size: data.length,
    });
    expect(await driver.stat(k)).toMatchObject({ size: data.length, contentType: 'video/webm' });
    expect(await digest(await driver.openRead(k))).toBe(createHash('sha256').update(data).digest('hex'));
    const part = Buffer.concat(await (await driver.openRead(k, { start: 1000, end: 1999 })).toArray());
    expect(part).toEqual(data.subarray(1000, 2000));
    expect(await s3.listKeys()).toContain(k);

    await driver.delete(k);
    expect(await driver.stat(k)).toBeNull();
    await expect(driver.delete(k)).resolves.toBeUndefined(); // idempotent
    expect(await s3.listKeys()).not.toContain(k);
  });

  it('streams a multipart upload (12 MiB) and reads back identical bytes', async () => {
    const k = key('.mp4');
    const { size } = await driver.put(k, generated(12 * MiB), { contentType: 'video/mp4', maxBytes: 20 * MiB });
    expect(size).toBe(12 * MiB);
    expect(await digest(await driver.openRead(k))).toBe(await digest(generated(12 * MiB)));
    expect(await s3.pendingMultipartUploads()).toEqual([]);
    await driver.delete(k);
  });

  it('rejects an oversize single-part upload with 413 and stores nothing', async () => {
    const before = await s3.listKeys();
    const error = await rejection(driver.put(key(), generated(3 * MiB), { contentType: 'video/webm', maxBytes: MiB }));
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
    await expectBucketUnchanged(before);
  });

  it('aborts the multipart upload when the size passes the limit after parts were sent', async () => {
    const before = await s3.listKeys();
    const aborted = s3.abortedMultipartUploads();
    const error = await rejection(
      driver.put(key(), generated(16 * MiB), { contentType: 'video/webm', maxBytes: 11 * MiB }),
    );
    expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', status: 413 });
    expect(s3.abortedMultipartUploads()).toBe(aborted + 1);
    await expectBucketUnchanged(before);
  });

  it('aborts the multipart upload when the source fails mid-stream, keeping its error', async () => {
    const before = await s3.listKeys();
    const aborted = s3.abortedMultipartUploads();
    const error = await rejection(
      driver.put(key(), failingAfter(12 * MiB), { contentType: 'video/webm', maxBytes: 50 * MiB }),
    );
    expect((error as Error).message).toBe('client went away');
    expect(s3.abortedMultipartUploads()).toBe(aborted + 1);
    await expectBucketUnchanged(before);
  });

  it('keeps two uploads for the same question (fresh keys, nothing overwritten)', async () => {
    const tenantId = randomUUID();
    const submissionId = randomUUID();
    const first = storageKey({ tenantId, submissionId, questionIndex: 2, extension: '.webm' });
    const second = storageKey({ tenantId, submissionId, questionIndex: 2, extension: '.webm' });
    expect(first).not.toBe(second);
    await driver.put(first, Readable.from([Buffer.from('first')]), { contentType: 'video/webm', maxBytes: 100 });
    await driver.put(second, Readable.from([Buffer.from('second')]), { contentType: 'video/webm', maxBytes: 100 });
    expect(Buffer.concat(await (await driver.openRead(first)).toArray()).toString()).toBe('first');
    expect(Buffer.concat(await (await driver.openRead(second)).toArray()).toString()).toBe('second');
  });

  it('answers 404 for a missing object and 416 for a range past the end', async () => {
    await expect(driver.openRead(key())).rejects.toMatchObject({ code: 'STORAGE_OBJECT_NOT_FOUND', status: 404 });
    expect(await driver.stat(key())).toBeNull();
    const k = key();
    await driver.put(k, Readable.from([Buffer.alloc(100)]), { contentType: 'video/webm', maxBytes: 100 });
    await expect(driver.openRead(k, { start: 100, end: 200 })).rejects.toMatchObject({
      status: 416,
      headers: { 'Content-Range': 'bytes */100' },
    });
  });

  it('signs a download link that works, forces an attachment and lives at most 15 minutes', async () => {
    const data = randomBytes(50_000);
    const k = key();
    await driver.put(k, Readable.from([data]), { contentType: 'video/webm', maxBytes: MiB });
    const url = await driver.downloadUrl(k, { fileName: 'réponse "Q1".webm', contentType: 'video/webm' });
    const parsed = new URL(url);
    expect(Number(parsed.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(MAX_PRESIGN_SECONDS);
    expect(MAX_PRESIGN_SECONDS).toBe(900);

    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('video/webm');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="r_ponse _Q1_.webm"; filename*=UTF-8''r%C3%A9ponse%20%22Q1%22.webm`,
    );
    expect(Buffer.from(await response.arrayBuffer())).toEqual(data);
  });

  it('refuses an expired link (signed 16 minutes ago)', async () => {
    const k = key();
    await driver.put(k, Readable.from([Buffer.from('x')]), { contentType: 'video/webm', maxBytes: 10 });
    const { getSignedUrl } = await import('@aws-sdk/s3-request-presigner');
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    const stale = await getSignedUrl(driver.client, new GetObjectCommand({ Bucket: s3.bucket, Key: k }), {
      expiresIn: MAX_PRESIGN_SECONDS,
      signingDate: new Date(Date.now() - 16 * 60 * 1000),
    });
    expect((await fetch(stale)).status).toBe(403);
  });

  it('never sends a hostile key to the server', async () => {
    for (const bad of ['../x', '/abs', 'a\0b', 'a/../../b', '']) {
      await expect(
        driver.put(bad, Readable.from([Buffer.from('x')]), { contentType: 'video/webm', maxBytes: 10 }),
      ).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(driver.openRead(bad)).rejects.toBeInstanceOf(InvalidStorageKeyError);
      await expect(driver.downloadUrl(bad, { fileName: 'x', contentType: 'video/webm' })).rejects.toBeInstanceOf(
        InvalidStorageKeyError,
      );
    }
  });

  it('streamToStorage refuses PNG bytes before anything reaches the bucket', async () => {
    const before = await s3.listKeys();
    const target = (sniffed: { extension: string }) => ({ key: key(sniffed.extension), contentType: 'video/webm' });
    await expect(
      streamToStorage(driver, Readable.from([mediaBytes(NON_MEDIA_HEADS.png, 100_000)]), {
        maxBytes: MiB,
        sniff: requireMedia,
        target,
      }),
    ).rejects.toMatchObject({ status: 415 });
    await expectBucketUnchanged(before);

    const stored = await streamToStorage(driver, Readable.from([mediaBytes(MEDIA_HEADS.webm, 100_000)]), {
      maxBytes: MiB,
      sniff: requireMedia,
      target,
    });
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: stored.key }));
    expect(head.ContentLength).toBe(100_000);
  });
  it("sweepStale aborts the app's incomplete multipart uploads older than the threshold, across pages, and no others", async () => {
    const start = async (objectKey: string) =>
      (await s3.client.send(new CreateMultipartUploadCommand({ Bucket: s3.bucket, Key: objectKey }))).UploadId!;
    const pendingBefore = await s3.pendingMultipartUploads();
    const stale = await Promise.all([key(), key(), key()].map(start));
    const fresh = await start(key());
    const foreign = await start(`backups/${randomUUID()}.tar`); // not under the app's key prefix
    for (const id of [...stale, foreign]) await s3.backdateMultipartUpload(id, STALE_UPLOAD_MS + 60_000);

    expect(await driver.sweepStale(STALE_UPLOAD_MS)).toBe(3);
    expect((await s3.pendingMultipartUploads()).sort()).toEqual([...pendingBefore, fresh, foreign].sort());
    expect(await driver.sweepStale(STALE_UPLOAD_MS)).toBe(0);
  });
});
