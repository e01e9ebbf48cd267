import { Inject, Injectable, Logger } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { AuthenticatedContext, RequestContext } from '../../../common/context/request-context';
import { FieldError } from '../../../common/errors/app-error';
import {
  CheckedMedia,
  checkMediaType,
  contentDisposition,
  ReceivedMedia,
  receiveMediaUpload,
  safeDisplayFileName,
  STORAGE_DRIVER,
  StorageDriver,
  StorageErrors,
} from '../../../common/storage';
import { AppConfigService } from '../../../config/app-config.service';
import { DatabaseService } from '../../../database/database.service';
import { AuditEvent, AuditService } from '../../audit/audit.service';
import { MediaFileEntity } from '../entities/media-file.entity';
import { SubmissionEntity } from '../entities/submission.entity';
import { STORED_FILES_REMOVER, StoredFilesRemover } from '../stored-files-remover';
import { MEDIA_NOT_FOUND, MEDIA_URL_EXPIRED, MEDIA_URL_INVALID, SUBMISSION_NOT_FOUND } from '../submissions.errors';
import { SubmissionsRepository } from '../submissions.repository';
import { MediaFilesRepository } from './media-files.repository';
import { decideRange } from './byte-range';
import {
  MediaDeletedResponse,
  MediaFileResponse,
  MediaUploadResponse,
  toMediaFileResponse,
  toMediaUploadResponse,
} from './dto/media.response';
import { MEDIA_UPLOAD_FIELDS, MediaUploadFields, parseMediaUploadFields } from './media-fields';
import { MediaLinks } from './media-links';
import { MediaUrlSigner } from './media-url-signer';
import { VALIDATION_ERROR } from '../../../common/errors/common.errors';

export interface DownloadRequest {
  range?: string;
  ifRange?: string;
}

/** What the content route sends: a redirect to a presigned link (S3), or the bytes themselves (local disk). */
export type MediaDownload =
  | { kind: 'redirect'; url: string }
  | { kind: 'stream'; status: 200 | 206; headers: Record<string, string>; body: Readable };

/** What an audit row keeps of a media file (also written for recordings stored with a submission). */
export function mediaAuditView(m: MediaFileEntity) {
  return {
    id: m.id,
    submission_id: m.submission_id,
    file_name: m.file_name,
    file_type: m.file_type,
    mime_type: m.mime_type,
    file_size: m.file_size,
    question_index: m.question_index,
    scenario_id: m.scenario_id,
    is_follow_up: m.is_follow_up,
    follow_up_sequence: m.follow_up_sequence,
    storage_provider: m.storage_provider,
    storage_key: m.storage_key,
  };
}

/** The audit event of a stored media file, whether uploaded or stored with its submission. */
export function mediaUploadAudit(row: MediaFileEntity): AuditEvent {
  return {
    action: 'media.upload',
    resourceType: 'media_file',
    resourceId: row.id,
    tenantId: row.tenant_id,
    newValues: mediaAuditView(row),
  };
}

/**
 * The recorded answers of a submission. Every route is authorised like the submission itself
 * (SubmissionsRepository.visibleWhere) before anything else happens — for an upload, before a byte of the body
 * is read. Stored objects and rows are kept consistent: an object without a row is deleted at once, and a row's
 * object is deleted only after the row's removal committed (see StoredFilesRemover).
 */
@Injectable()
export class MediaService {
  private readonly logger = new Logger(MediaService.name);

  constructor(
    private readonly db: DatabaseService,
    private readonly submissions: SubmissionsRepository,
    private readonly mediaFiles: MediaFilesRepository,
    private readonly audit: AuditService,
    private readonly config: AppConfigService,
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    @Inject(STORED_FILES_REMOVER) private readonly remover: StoredFilesRemover,
    private readonly signer: MediaUrlSigner,
    private readonly links: MediaLinks,
  ) {}

  async upload(ctx: AuthenticatedContext, submissionId: string, body: IncomingMessage): Promise<MediaUploadResponse> {
    const submission = await this.db.transaction(ctx, (tx) => this.submissions.findVisible(tx, submissionId));
    if (!submission) throw SUBMISSION_NOT_FOUND();
    // No unit of work is open while the body streams to storage; the row is written in one afterwards.
    // Streams the file to storage as it arrives; 413/415/400 from here leave nothing stored.
    const { fields: raw, file } = await receiveMediaUpload(body, this.storage, {
      tenantId: submission.tenant_id,
      submissionId,
      maxFileBytes: this.config.values.storage.maxFileSize,
      fields: MEDIA_UPLOAD_FIELDS,
    });
    let row: MediaFileEntity;
    try {
      const { fields, stored } = this.validate(raw, file);
      const checked = checkMediaType(fields.file_type, stored.declaredMime, stored.sniffed);
      row = await this.db.transaction(ctx, (tx) => this.insert(tx, submission, stored, fields, checked));
    } catch (error) {
      if (file) await this.discard(file.key);
      throw error;
    }
    return toMediaUploadResponse(row, await this.storageUrl(row));
  }

  /** Ordered by question, then follow-up, then upload time (a re-recorded answer follows the earlier one). */
  async list(ctx: AuthenticatedContext, submissionId: string): Promise<MediaFileResponse[]> {
    const rows = await this.db.transaction(ctx, async (tx) => {
      const submission = await this.submissions.findVisible(tx, submissionId);
      if (!submission) throw SUBMISSION_NOT_FOUND();
      return this.mediaFiles.listOf(tx, submission);
    });
    return Promise.all(rows.map(async (m) => toMediaFileResponse(m, await this.storageUrl(m))));
  }

  async download(
    ctx: AuthenticatedContext,
    submissionId: string,
    mediaId: string,
    request: DownloadRequest,
  ): Promise<MediaDownload> {
    const media = await this.db.transaction(ctx, (tx) => this.findVisibleMedia(tx, submissionId, mediaId));
    return this.deliver(media, request);
  }

  /**
   * A download authorised by a signed link (MediaUrlSigner) instead of a token: the signature is checked before the
   * database is asked anything, and it is the only authority — the row is then read by id across tenants, since
   * the anonymous caller has none. Forged or tampered: 403 MEDIA_URL_INVALID; expired: 403 MEDIA_URL_EXPIRED.
   */
  async downloadSigned(
    ctx: RequestContext,
    mediaId: string,
    signature: { expires: unknown; signature: unknown },
    request: DownloadRequest,
  ): Promise<MediaDownload> {
    const check = this.signer.check(mediaId, signature.expires, signature.signature);
    if (check === 'invalid') throw MEDIA_URL_INVALID();
    if (check === 'expired') throw MEDIA_URL_EXPIRED();
    // The signature named the row: it is read by id across tenants (the anonymous caller has none).
    const media = await this.db.crossTenant(ctx, 'media.signed_link', (tx) =>
      this.mediaFiles.findBySignedLink(tx, mediaId),
    );
    if (!media) throw MEDIA_NOT_FOUND();
    return this.deliver(media, request);
  }

  private async deliver(media: MediaFileEntity, request: DownloadRequest): Promise<MediaDownload> {
    if (media.storage_provider !== this.storage.name) {
      this.logger.warn({ media_id: media.id, provider: media.storage_provider }, 'Media stored under another provider');
      throw StorageErrors.objectNotFound();
    }
    const url = await this.storage.downloadUrl(media.storage_key, {
      fileName: media.file_name,
      contentType: media.mime_type,
    });
    if (url) return { kind: 'redirect', url };

    const info = await this.storage.stat(media.storage_key);
    if (!info) throw StorageErrors.objectNotFound();
    const range = decideRange(request.range, info.size, request.ifRange);
    if (range.kind === 'unsatisfiable') throw StorageErrors.rangeNotSatisfiable(info.size);
    const headers: Record<string, string> = {
      'Content-Type': media.mime_type,
      'Accept-Ranges': 'bytes',
      'Content-Disposition': contentDisposition(media.file_name),
      'X-Content-Type-Options': 'nosniff',
    };
    if (range.kind === 'full') {
      const body = await this.storage.openRead(media.storage_key);
      return { kind: 'stream', status: 200, headers: { ...headers, 'Content-Length': String(info.size) }, body };
    }
    const body = await this.storage.openRead(media.storage_key, { start: range.start, end: range.end });
    headers['Content-Length'] = String(range.end - range.start + 1);
    headers['Content-Range'] = `bytes ${range.start}-${range.end}/${info.size}`;
    return { kind: 'stream', status: 206, headers, body };
  }

  async remove(ctx: AuthenticatedContext, submissionId: string, mediaId: string): Promise<MediaDeletedResponse> {
    const removed = await this.db.transaction(ctx, async (tx) => {
      const submission = await this.submissions.lockVisible(tx, submissionId, 'pessimistic_read');
      if (!submission) throw SUBMISSION_NOT_FOUND();
      const media = await this.mediaFiles.lockOf(tx, submission, mediaId);
      if (!media) throw MEDIA_NOT_FOUND();
      await this.db.repo(tx, MediaFileEntity).delete(media.id);
      await this.audit.record(tx, {
        action: 'media.delete',
        resourceType: 'media_file',
        resourceId: media.id,
        tenantId: media.tenant_id,
        oldValues: mediaAuditView(media),
      });
      return media;
    });
    await this.remover.removeStoredFiles(ctx, [removed]);
    return { message: 'Media file deleted', id: removed.id };
  }

  /** Every field problem and a missing file are reported together, as one 400. */
  private validate(
    raw: Record<string, string>,
    file: ReceivedMedia | null,
  ): { fields: MediaUploadFields; stored: ReceivedMedia } {
    const { fields, errors } = parseMediaUploadFields(raw);
    const problems: FieldError[] = file ? errors : [{ field: 'file', message: 'file is required' }, ...errors];
    if (!file || !fields) throw VALIDATION_ERROR(problems);
    return { fields, stored: file };
  }

  /**
   * FOR SHARE on the submission: a concurrent submission delete either waits for this row (and removes its file
   * too) or has already removed the submission (then this is a 404 and the caller discards the object).
   */
  private async insert(
    ctx: AuthenticatedContext,
    submission: SubmissionEntity,
    file: ReceivedMedia,
    fields: MediaUploadFields,
    checked: CheckedMedia,
  ): Promise<MediaFileEntity> {
    if (!(await this.submissions.lockVisible(ctx, submission.id, 'pessimistic_read'))) throw SUBMISSION_NOT_FOUND();
    const repo = this.db.repo(ctx, MediaFileEntity);
    const fallbackName = `Q${fields.question_index + 1}_${fields.file_type}${checked.extension}`;
    const { identifiers } = await repo.insert({
      tenant_id: submission.tenant_id,
      submission_id: submission.id,
      storage_key: file.key,
      storage_provider: this.storage.name,
      file_name: safeDisplayFileName(file.clientFileName, fallbackName),
      file_type: fields.file_type,
      mime_type: checked.mime,
      file_size: file.size,
      question_index: fields.question_index,
      scenario_id: fields.scenario_id,
      is_follow_up: fields.is_follow_up,
      follow_up_sequence: fields.follow_up_sequence,
    });
    const row = await this.mediaFiles.reload(ctx, identifiers[0].id as string, submission.tenant_id);
    await this.audit.record(ctx, mediaUploadAudit(row));
    return row;
  }

  private async findVisibleMedia(
    ctx: AuthenticatedContext,
    submissionId: string,
    mediaId: string,
  ): Promise<MediaFileEntity> {
    const submission = await this.submissions.findVisible(ctx, submissionId);
    if (!submission) throw SUBMISSION_NOT_FOUND();
    const media = await this.mediaFiles.findOf(ctx, submission, mediaId);
    if (!media) throw MEDIA_NOT_FOUND();
    return media;
  }

  private storageUrl(m: MediaFileEntity): Promise<string> {
    return this.links.url(m);
  }

  private async discard(key: string): Promise<void> {
    await this.storage
      .delete(key)
      .catch((error: Error) => this.logger.error({ err: error, key }, 'Could not discard an upload'));
  }
}
