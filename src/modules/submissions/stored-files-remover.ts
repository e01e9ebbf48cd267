import { Inject, Injectable, Logger } from '@nestjs/common';
import type { RequestContext } from '../../common/context/request-context';
import { STORAGE_DRIVER, StorageDriver } from '../../common/storage';
import type { StorageProvider } from './entities/media-file.entity';

export interface StoredFileRef {
  storage_provider: StorageProvider;
  storage_key: string;
}

/**
 * Removes the stored objects of deleted media rows. Called after the deleting transaction has committed: a file
 * left behind by a failed removal is an orphan that can be swept later, while a row pointing at a removed file
 * would be a broken download. Implementations log their own failures and never throw.
 */
export interface StoredFilesRemover {
  removeStoredFiles(ctx: RequestContext, files: StoredFileRef[]): Promise<void>;
}

export const STORED_FILES_REMOVER = Symbol('STORED_FILES_REMOVER');

/** Deletions in flight at once: enough to empty a submission's few dozen answers quickly on S3. */
const CONCURRENCY = 8;

/** Deletes each object through the configured storage driver. */
@Injectable()
export class DriverStoredFilesRemover implements StoredFilesRemover {
  private readonly logger = new Logger('StoredFilesRemover');

  constructor(@Inject(STORAGE_DRIVER) private readonly storage: StorageDriver) {}

  async removeStoredFiles(ctx: RequestContext, files: StoredFileRef[]): Promise<void> {
    for (let at = 0; at < files.length; at += CONCURRENCY) {
      await Promise.all(files.slice(at, at + CONCURRENCY).map((file) => this.removeOne(ctx, file)));
    }
  }

  private async removeOne(ctx: RequestContext, file: StoredFileRef): Promise<void> {
    // A row written under another provider (before STORAGE_PROVIDER changed) cannot be reached from here.
    if (file.storage_provider !== this.storage.name) {
      this.logger.warn(
        { request_id: ctx.requestId, provider: file.storage_provider, key: file.storage_key },
        `Stored file left in ${file.storage_provider} storage: the app now uses ${this.storage.name}`,
      );
      return;
    }
    try {
      await this.storage.delete(file.storage_key);
    } catch (error) {
      this.logger.error(
        { err: error, request_id: ctx.requestId, key: file.storage_key },
        'Could not remove a stored file',
      );
    }
  }
}
