import type { RequestContext } from '../../common/context/request-context';
import type { StorageProvider } from './entities/media-file.entity';

export interface StoredFileRef {
  storage_provider: StorageProvider;
  storage_key: string;
}

/**
 * Removes the stored objects of deleted media rows. Called after the deleting transaction has committed: a file
 * left behind by a failed removal is an orphan that can be swept later, while a row pointing at a removed file
 * would be a broken download. Implementations log their own failures and never throw.
 *
 * TODO(lead, media work): provide this token in SubmissionsModule with the storage drivers of
 * src/common/storage (`{ provide: STORED_FILES_REMOVER, useClass: … }`). Until then deleting a submission removes
 * its rows only — there is no upload route yet, so there are no files to leave behind.
 */
export interface StoredFilesRemover {
  removeStoredFiles(ctx: RequestContext, files: StoredFileRef[]): Promise<void>;
}

export const STORED_FILES_REMOVER = Symbol('STORED_FILES_REMOVER');
