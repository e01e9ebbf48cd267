import type { IncomingMessage } from 'node:http';
import { MediaKind, requireMedia, checkMediaType, SniffedMedia } from './media-type';
import { parseMultipartUpload } from './multipart-upload';
import { StorageDriver } from './storage-driver';
import { storageKey } from './storage-key';
import { streamToStorage } from './stream-to-storage';

export interface ReceiveMediaOptions {
  tenantId: string;
  submissionId: string;
  maxFileBytes: number;
  /** All text fields the route reads (file_type, question_index, follow_up_sequence, scenario_id, …). */
  fields: readonly string[];
}

export interface ReceivedMedia {
  key: string;
  size: number;
  sniffed: SniffedMedia;
  /** As the client sent them: the name for display only, the type (if readable) for checkMediaType. */
  clientFileName: string | undefined;
  declaredMime: string | undefined;
}

function asKind(value: string | undefined): MediaKind | null {
  return value === 'video' || value === 'audio' ? value : null;
}

/** A field already received that is a plain small non-negative integer, else undefined (validated later anyway). */
function asIndex(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,3}$/.test(value.trim()) ? Number(value.trim()) : undefined;
}

/**
 * The media upload pipeline up to (not including) the database row: the `file` part is streamed to storage as it
 * arrives, under a fresh server key. Content that is no audio/video at all is refused (415) before a byte is
 * written, and when `file_type` came before the file the full check (checkMediaType) runs there too. Fields may
 * come in any order, so the caller must, afterwards:
 * validate the fields, run checkMediaType(file_type, declaredMime, sniffed), insert the row — and on any failure
 * `driver.delete(key)`. A request that fails here (413, 415, 400, disconnect) leaves nothing stored.
 */
export async function receiveMediaUpload(
  req: IncomingMessage,
  driver: StorageDriver,
  options: ReceiveMediaOptions,
): Promise<{ fields: Record<string, string>; file: ReceivedMedia | null }> {
  return parseMultipartUpload<ReceivedMedia>(req, {
    maxFileBytes: options.maxFileBytes,
    fields: options.fields,
    onDiscard: (received) => driver.delete(received.key),
    onFile: async (stream, info, fieldsSoFar) => {
      const fileType = asKind(fieldsSoFar.file_type);
      const stored = await streamToStorage(driver, stream, {
        maxBytes: options.maxFileBytes,
        sniff: (head) => {
          const sniffed = requireMedia(head);
          if (fileType) checkMediaType(fileType, info.mimeType, sniffed);
          return sniffed;
        },
        target: (sniffed) => ({
          // q/f segments when question_index came before the file (the key layout in README, "Interview assessments"); fields may also arrive after
          // it, and the file is already streaming then, so the key has none — the row always holds the question.
          key: storageKey({
            tenantId: options.tenantId,
            submissionId: options.submissionId,
            questionIndex: asIndex(fieldsSoFar.question_index),
            followUpSequence: asIndex(fieldsSoFar.follow_up_sequence),
            extension: sniffed.extension,
          }),
          contentType: checkMediaType(fileType ?? sniffed.kinds[0], null, sniffed).mime,
        }),
      });
      return {
        key: stored.key,
        size: stored.size,
        sniffed: stored.sniffed,
        clientFileName: info.fileName,
        declaredMime: info.mimeType,
      };
    },
  });
}
