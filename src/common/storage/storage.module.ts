import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { resolve } from 'node:path';
import { AppConfig } from '../../config/app-config';
import { AppConfigService } from '../../config/app-config.service';
import { LocalStorageDriver } from './local-storage.driver';
import { S3StorageDriver } from './s3-storage.driver';
import { STORAGE_DRIVER, StorageDriver } from './storage-driver';

/** STORAGE_PROVIDER=local (default) → files under STORAGE_PATH; s3 → the AWS_S3_BUCKET bucket. */
export function createStorageDriver(storage: AppConfig['storage']): StorageDriver {
  if (storage.provider === 's3') {
    return new S3StorageDriver({
      bucket: storage.s3.bucket ?? '',
      region: storage.s3.region,
      endpoint: storage.s3.endpoint,
      accessKeyId: storage.s3.accessKeyId,
      secretAccessKey: storage.s3.secretAccessKey,
    });
  }
  return new LocalStorageDriver(resolve(storage.path));
}

@Global()
@Module({
  providers: [
    {
      provide: STORAGE_DRIVER,
      inject: [AppConfigService],
      useFactory: (config: AppConfigService): StorageDriver => createStorageDriver(config.values.storage),
    },
  ],
  exports: [STORAGE_DRIVER],
})
export class StorageModule implements OnApplicationShutdown {
  constructor(@Inject(STORAGE_DRIVER) private readonly driver: StorageDriver) {}

  async onApplicationShutdown(): Promise<void> {
    await this.driver.close?.();
  }
}
