import { EMBEDDED_MEDIA_FIELDS, EmbeddedMediaField } from './extract-embedded-media';

/**
 * How a stored conversation entry points at a recording that arrived embedded in it: `videoDataUri` /
 * `audioDataUri` hold `media-file:<media file id>` instead of megabytes of base64. Responses replace the reference
 * with the file's download URL; it only ever resolves against media files of the same submission.
 */
export const MEDIA_REFERENCE_PREFIX = 'media-file:';

const REFERENCE = /^media-file:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

export const RECORDING_FIELDS = Object.keys(EMBEDDED_MEDIA_FIELDS) as EmbeddedMediaField[];

export const mediaReference = (mediaId: string): string => `${MEDIA_REFERENCE_PREFIX}${mediaId}`;

/** The media id a field value refers to, or null when it is no reference. */
export function referencedMediaId(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = REFERENCE.exec(value);
  return match ? match[1].toLowerCase() : null;
}

/** True when a value looks like a reference (well-formed or not): only the server writes those. */
export const looksLikeReference = (value: unknown): boolean =>
  typeof value === 'string' && value.slice(0, MEDIA_REFERENCE_PREFIX.length).toLowerCase() === MEDIA_REFERENCE_PREFIX;
