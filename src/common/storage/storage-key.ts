import { randomBytes } from 'node:crypto';
import { InvalidStorageKeyError } from './storage.errors';

/**
 * Storage keys are relative, '/'-separated paths made only of server-chosen segments. The same rules hold for
 * both drivers so that a key means the same thing on disk and in a bucket, and so that no key can ever climb out
 * of the storage root ('..'), be absolute, hide ('.x'), or smuggle a NUL, a backslash or a control character.
 */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
const EXTENSION = /^(\.[a-z0-9]{1,8})?$/;
export const MAX_STORAGE_KEY_LENGTH = 512;
/** Every key storageKey() makes starts with this: what is under it in a bucket is the app's. */
export const STORAGE_KEY_PREFIX = 'tenants/';

export function assertSafeStorageKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidStorageKeyError('empty');
  if (key.length > MAX_STORAGE_KEY_LENGTH) throw new InvalidStorageKeyError('too long');
  if (key.startsWith('/')) throw new InvalidStorageKeyError('absolute');
  for (const segment of key.split('/')) {
    if (!SEGMENT.test(segment)) throw new InvalidStorageKeyError('a segment is empty, hidden or has unsafe characters');
  }
}

export interface MediaKeyParts {
  tenantId: string;
  submissionId: string;
  /**
   * Optional because multipart fields may arrive after the file part, and the file is streamed to storage the
   * moment it arrives: when the question is not known yet the key simply has no q/f segments. The key is a
   * locator, not data — the media row holds question_index and follow_up_sequence.
   */
  questionIndex?: number | null;
  followUpSequence?: number | null;
  /** From the sniffed content ('.webm'), never from the client's file name; '' for none. */
  extension: string;
}

function nonNegativeInt(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new InvalidStorageKeyError(`${name} must be a non-negative integer`);
  return value;
}

/**
 * `tenants/{tenant}/submissions/{submission}/q{index}/f{seq}/{16 random hex}{.ext}`. The random part (64 bits
 * from the CSPRNG) makes every upload a new key, so a second upload for the same question never replaces the
 * first; the drivers additionally refuse to overwrite an existing key.
 */
export function storageKey(parts: MediaKeyParts): string {
  if (!EXTENSION.test(parts.extension)) throw new InvalidStorageKeyError('bad extension');
  for (const id of [parts.tenantId, parts.submissionId]) {
    if (!SEGMENT.test(id)) throw new InvalidStorageKeyError('an id is not a single safe segment');
  }
  const segments = [STORAGE_KEY_PREFIX.slice(0, -1), parts.tenantId, 'submissions', parts.submissionId];
  if (parts.questionIndex !== undefined && parts.questionIndex !== null) {
    segments.push(`q${nonNegativeInt(parts.questionIndex, 'questionIndex')}`);
    segments.push(`f${nonNegativeInt(parts.followUpSequence ?? 0, 'followUpSequence')}`);
  }
  segments.push(`${randomBytes(8).toString('hex')}${parts.extension}`);
  const key = segments.join('/');
  assertSafeStorageKey(key);
  return key;
}
