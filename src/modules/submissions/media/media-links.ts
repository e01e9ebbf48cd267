import { Inject, Injectable } from '@nestjs/common';
import { STORAGE_DRIVER, StorageDriver } from '../../../common/storage';
import type { MediaFileEntity } from '../entities/media-file.entity';
import { MediaUrlSigner } from './media-url-signer';

export type LinkableMedia = Pick<
  MediaFileEntity,
  'id' | 'storage_provider' | 'storage_key' | 'file_name' | 'mime_type'
>;

/**
 * The `storage_url` of a media file: a link a browser's `<video src>` can play without a token, valid ≤ 15 minutes.
 * On S3 a presigned link; on local disk (or for a row of another provider, which the signed route answers 404) the
 * app's signed route (MediaUrlSigner). Shared by the media routes and the submissions' rendered conversation.
 */
@Injectable()
export class MediaLinks {
  constructor(
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    private readonly signer: MediaUrlSigner,
  ) {}

  async url(m: LinkableMedia): Promise<string> {
    if (m.storage_provider === this.storage.name) {
      const url = await this.storage.downloadUrl(m.storage_key, { fileName: m.file_name, contentType: m.mime_type });
      if (url) return url;
    }
    return this.signer.url(m.id);
  }
}
