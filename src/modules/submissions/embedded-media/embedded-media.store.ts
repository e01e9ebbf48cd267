import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { AuthenticatedContext } from '../../../common/context/request-context';
import { AppError } from '../../../common/errors/app-error';
import {
  CheckedMedia,
  checkMediaType,
  MEDIA_SNIFF_BYTES,
  sniffMediaType,
  STORAGE_DRIVER,
  StorageDriver,
  storageKey,
} from '../../../common/storage';
import { AppConfigService } from '../../../config/app-config.service';
import { DatabaseService } from '../../../database/database.service';
import { MediaFilesRepository } from '../media/media-files.repository';
import { AuditService } from '../../audit/audit.service';
import { MediaFileEntity, MediaFileType } from '../entities/media-file.entity';
import { MAX_FOLLOW_UP_SEQUENCE, MAX_SCENARIO_ID_LENGTH } from '../media/media-fields';
import { mediaUploadAudit } from '../media/media.service';
import { EMBEDDED_MEDIA_FIELDS } from './extract-embedded-media';
import { looksLikeReference, mediaReference, RECORDING_FIELDS } from './media-reference';
import type { EmbeddedMedia } from './submission-body.middleware';
import { PAYLOAD_TOO_LARGE } from '../../../common/errors/common.errors';

/** A recording that passed the checks, with everything its media row needs. */
export interface PlannedMedia {
  id: string;
  source: EmbeddedMedia;
  fileType: MediaFileType;
  checked: CheckedMedia;
  questionIndex: number;
  isFollowUp: boolean;
  followUpSequence: number;
  scenarioId: string | null;
}

export interface StoredMedia extends PlannedMedia {
  key: string;
  size: number;
}

type Entry = Record<string, unknown>;

const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;
const fieldName = (m: EmbeddedMedia) => `conversation_history[${m.entryIndex}].${m.field}`;
const isEntry = (value: unknown): value is Entry =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** An error of the media checks, re-worded to name the entry it came from. */
function namingEntry(error: unknown, field: string): unknown {
  if (!(error instanceof AppError)) return error;
  return new AppError(
    error.code,
    `${field}: ${error.detail}`,
    error.status,
    [{ field, message: error.detail }],
    error.headers,
  );
}

function flag(entry: Entry): boolean {
  return [entry.followUpGenerated, entry.isFollowUp, entry.is_follow_up].some((value) => value === true);
}

function explicitSequence(entry: Entry): number | null {
  const value = entry.follow_up_sequence ?? entry.followUpSequence;
  return Number.isSafeInteger(value) && (value as number) >= 0 && (value as number) <= MAX_FOLLOW_UP_SEQUENCE
    ? (value as number)
    : null;
}

function scenarioOf(entry: Entry): string | null {
  const value = entry.scenario_id ?? entry.scenarioId;
  const text =
    typeof value === 'string' ? value.trim() : typeof value === 'number' && Number.isFinite(value) ? String(value) : '';
  if (text === '' || Array.from(text).length > MAX_SCENARIO_ID_LENGTH || CONTROL_CHARS.test(text)) return null;
  return text;
}

/**
 * The media row fields of entry `index`, read from the entry as the first seed's pages write it:
 * - question_index: the entry's index in conversation_history;
 * - is_follow_up: the entry's `followUpGenerated` (or `isFollowUp` / `is_follow_up`) is true;
 * - follow_up_sequence: the entry's `follow_up_sequence` / `followUpSequence` when it is an integer 0–99, else for a
 *   follow-up its position in the run of follow-ups right before it (1, 2, …), else 0;
 * - scenario_id: the entry's `scenario_id` / `scenarioId` (string or number, ≤ 100 characters), else null.
 */
export function entryMediaFields(
  history: unknown[],
  index: number,
): Pick<PlannedMedia, 'isFollowUp' | 'followUpSequence' | 'scenarioId'> {
  const entry = isEntry(history[index]) ? (history[index] as Entry) : {};
  const isFollowUp = flag(entry);
  let followUpSequence = explicitSequence(entry);
  if (followUpSequence === null) {
    followUpSequence = 0;
    if (isFollowUp) {
      let at = index;
      while (at > 0 && isEntry(history[at - 1]) && flag(history[at - 1] as Entry)) at -= 1;
      followUpSequence = Math.min(index - at + 1, MAX_FOLLOW_UP_SEQUENCE);
    }
  }
  return { isFollowUp, followUpSequence, scenarioId: scenarioOf(entry) };
}

/**
 * Stores the recordings that arrived embedded in a submission body as media files of the new submission, through
 * the same checks and storage path as a media upload: the magic-byte check with the data URI's type as the declared
 * type (415), MAX_FILE_SIZE per file (413), a fresh server-made key, the configured STORAGE_DRIVER. Errors name the
 * entry (`conversation_history[3].videoDataUri`). Objects are put before the submission's transaction and removed
 * by `discard` when it fails, so a refused submission leaves nothing stored.
 */
@Injectable()
export class EmbeddedMediaStore {
  private readonly logger = new Logger(EmbeddedMediaStore.name);

  constructor(
    @Inject(STORAGE_DRIVER) private readonly storage: StorageDriver,
    private readonly config: AppConfigService,
    private readonly audit: AuditService,
    private readonly db: DatabaseService,
    private readonly mediaFiles: MediaFilesRepository,
  ) {}

  /**
   * Client-written references are dropped (only the server writes them; a client could otherwise point at another
   * submission's file), then every recording is checked. Nothing is stored here.
   */
  plan(history: unknown[], embedded: EmbeddedMedia[]): PlannedMedia[] {
    for (const entry of history) {
      if (!isEntry(entry)) continue;
      for (const field of RECORDING_FIELDS) if (looksLikeReference(entry[field])) entry[field] = null;
    }
    const maxBytes = this.config.values.storage.maxFileSize;
    return embedded.map((source) => {
      const field = fieldName(source);
      if (source.bytes.length > maxBytes) {
        throw PAYLOAD_TOO_LARGE(`${field}: the file exceeds the maximum size of ${maxBytes} bytes`, [
          { field, message: `must be at most ${maxBytes} bytes` },
        ]);
      }
      const fileType = EMBEDDED_MEDIA_FIELDS[source.field];
      let checked: CheckedMedia;
      try {
        checked = checkMediaType(
          fileType,
          source.declaredType,
          sniffMediaType(source.bytes.subarray(0, MEDIA_SNIFF_BYTES)),
        );
      } catch (error) {
        throw namingEntry(error, field);
      }
      return {
        id: randomUUID(),
        source,
        fileType,
        checked,
        questionIndex: source.entryIndex,
        ...entryMediaFields(history, source.entryIndex),
      };
    });
  }

  /** Puts every planned file; when one fails, those already put are removed before the error is rethrown. */
  async put(tenantId: string, submissionId: string, planned: PlannedMedia[]): Promise<StoredMedia[]> {
    const stored: StoredMedia[] = [];
    try {
      for (const media of planned) {
        const key = storageKey({
          tenantId,
          submissionId,
          questionIndex: media.questionIndex,
          followUpSequence: media.followUpSequence,
          extension: media.checked.extension,
        });
        const { size } = await this.storage
          .put(key, Readable.from([media.source.bytes], { objectMode: false }), {
            contentType: media.checked.mime,
            maxBytes: this.config.values.storage.maxFileSize,
          })
          .catch((error: unknown) => {
            throw namingEntry(error, fieldName(media.source));
          });
        stored.push({ ...media, key, size });
      }
    } catch (error) {
      await this.discard(stored);
      throw error;
    }
    return stored;
  }

  /** Each recording's field in its entry now holds a reference to its media file. */
  reference(history: unknown[], stored: StoredMedia[]): void {
    for (const media of stored) {
      const entry = history[media.source.entryIndex];
      if (isEntry(entry)) entry[media.source.field] = mediaReference(media.id);
    }
  }

  /** The media rows (and their audit rows), in the submission's transaction, after the submission row. */
  async insert(
    ctx: AuthenticatedContext,
    tenantId: string,
    submissionId: string,
    stored: StoredMedia[],
  ): Promise<void> {
    if (stored.length === 0) return;
    await this.db.repo(ctx, MediaFileEntity).insert(
      stored.map((m) => ({
        id: m.id,
        tenant_id: tenantId,
        submission_id: submissionId,
        storage_key: m.key,
        storage_provider: this.storage.name,
        file_name: `Q${m.questionIndex + 1}_${m.fileType}${m.checked.extension}`,
        file_type: m.fileType,
        mime_type: m.checked.mime,
        file_size: m.size,
        question_index: m.questionIndex,
        scenario_id: m.scenarioId,
        is_follow_up: m.isFollowUp,
        follow_up_sequence: m.followUpSequence,
      })),
    );
    for (const row of await this.mediaFiles.allOfInOrder(ctx, submissionId)) {
      await this.audit.record(ctx, mediaUploadAudit(row));
    }
  }

  /** Removes objects put for a submission that was not stored; failures are logged (an orphan), never thrown. */
  async discard(stored: Pick<StoredMedia, 'key'>[]): Promise<void> {
    await Promise.all(
      stored.map((m) =>
        this.storage
          .delete(m.key)
          .catch((error: unknown) =>
            this.logger.error({ err: error, key: m.key }, 'Could not discard an embedded recording'),
          ),
      ),
    );
  }
}
