import { resolve } from 'node:path';
import { loadConfig } from '../../config/app-config';
import { LocalStorageDriver } from './local-storage.driver';
import { S3StorageDriver } from './s3-storage.driver';
import { createStorageDriver } from './storage.module';

describe('createStorageDriver', () => {
  it('defaults to local disk under STORAGE_PATH', () => {
    const driver = createStorageDriver(loadConfig({ STORAGE_PATH: './some-uploads' }).storage);
    expect(driver).toBeInstanceOf(LocalStorageDriver);
    expect(driver.name).toBe('local');
    expect((driver as LocalStorageDriver).resolvePath('a/b.webm')).toBe(resolve('./some-uploads/a/b.webm'));
  });

  it('uses S3 (path-style, WHEN_REQUIRED checksums) for STORAGE_PROVIDER=s3 with an endpoint', async () => {
    const driver = createStorageDriver(
      loadConfig({
        STORAGE_PROVIDER: 's3',
        AWS_S3_BUCKET: 'b',
        AWS_S3_REGION: 'eu-west-1',
        AWS_S3_ENDPOINT: 'http://127.0.0.1:9',
      }).storage,
    ) as S3StorageDriver;
    expect(driver).toBeInstanceOf(S3StorageDriver);
    expect(driver.client.config.forcePathStyle).toBe(true);
    expect(await driver.client.config.region()).toBe('eu-west-1');
    expect(await driver.client.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    await driver.close();
  });
});
