import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { S3StorageDriver } from '../../src/common/storage/s3-storage.driver';
import { STORAGE_DRIVER, StorageDriver } from '../../src/common/storage/storage-driver';
import { storageKey } from '../../src/common/storage/storage-key';
import { S3TestServer, startS3TestServer } from '../setup/s3-test-server';
import { createTestApp, TestApp } from '../setup/test-app';

/** The app wired with STORAGE_PROVIDER=s3 + AWS_S3_ENDPOINT talks to a real S3-compatible server (s3rver). */
describe('Storage on S3 (app wiring)', () => {
  let s3: S3TestServer;
  let t: TestApp;
  let driver: StorageDriver;

  beforeAll(async () => {
    s3 = await startS3TestServer();
    t = await createTestApp(s3.env);
    driver = t.app.get<StorageDriver>(STORAGE_DRIVER);
  });

  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  it('provides the S3 driver for STORAGE_PROVIDER=s3', () => {
    expect(driver).toBeInstanceOf(S3StorageDriver);
    expect(driver.name).toBe('s3');
  });

  it('stores an object in the configured bucket and hands out a working presigned link', async () => {
    const data = randomBytes(64 * 1024);
    const key = storageKey({
      tenantId: randomUUID(),
      submissionId: randomUUID(),
      questionIndex: 0,
      extension: '.webm',
    });
    await driver.put(key, Readable.from([data]), { contentType: 'video/webm', maxBytes: t.config.storage.maxFileSize });
    expect(await s3.listKeys()).toContain(key);

    const url = await driver.downloadUrl(key, { fileName: 'Q1_video.webm', contentType: 'video/webm' });
    expect(url).toContain(s3.endpoint);
    expect(Number(new URL(url!).searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(900);
    const response = await fetch(url!);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="Q1_video.webm"/);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(data);

    await driver.delete(key);
    expect(await s3.listKeys()).not.toContain(key);
  });
});
