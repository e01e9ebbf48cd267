import { Global, Inject, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { resolve } from 'node:path';
import { AppConfig } from '../../config/app-config';
import { AppConfigService } from '../../config/app-config.service';
import { LocalStorageDriver } from './local-storage.driver';
import { S3StorageDriver } from './s3-storage.driver';
import { STALE_UPLOAD_MS, STORAGE_DRIVER, StorageDriver } from './storage-driver';

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
export class StorageModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Storage');
  /** The boot-time sweep of interrupted writes; it runs in the background so that start-up does not wait for it. */
  sweep: Promise<number> = Promise.resolve(0);

  constructor(@Inject(STORAGE_DRIVER) private readonly driver: StorageDriver) {}

  onApplicationBootstrap(): void {
    if (!this.driver.sweepStale) return;
    this.sweep = this.driver.sweepStale(STALE_UPLOAD_MS).then(
      (removed) => {
        if (removed > 0) this.logger.log(`Removed ${removed} leftover(s) of interrupted uploads`);
        return removed;
      },
      (error: unknown) => {
        this.logger.warn(`Sweeping leftovers of interrupted uploads failed: ${(error as Error).message}`);
        return 0;
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sweep;
    await this.driver.close?.();
  }
}
