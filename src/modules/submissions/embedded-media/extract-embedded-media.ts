/**
 * The pure part of reading a submission body that carries recordings as base64 `data:` URIs (the first seed's
 * interview pages put each answer's recording into `conversation_history[i].videoDataUri` / `.audioDataUri`).
 * It runs in a worker thread for large bodies (embedded-media.worker.ts) and in-thread for small ones, so it
 * returns plain data: no exceptions, no class instances cross the thread boundary.
 */
import { checkJsonBytes } from '../../../common/http/body-shape';
import type { FieldError } from '../../../common/errors/app-error';

/** The entry fields that may hold a recording, and the kind of recording each holds. */
export const EMBEDDED_MEDIA_FIELDS = { videoDataUri: 'video', audioDataUri: 'audio' } as const;
export type EmbeddedMediaField = keyof typeof EMBEDDED_MEDIA_FIELDS;

export interface ExtractedMedia {
  /** Index of the entry in conversation_history. */
  entryIndex: number;
  field: EmbeddedMediaField;
  /** The data URI's MIME type without its parameters, lower-cased: `video/webm;codecs=vp9,opus` → `video/webm`. */
  declaredType: string;
  bytes: Uint8Array;
}

export type ExtractOutcome =
  | { ok: true; body: unknown; embedded: ExtractedMedia[]; residualBytes: number }
  | { ok: false; kind: 'malformed_json' }
  /** A body-shape limit (depth, keys per object, values), as every other JSON body is checked (README "Request bodies"). */
  | { ok: false; kind: 'shape'; code: string; detail: string; errors: FieldError[] }
  | { ok: false; kind: 'too_large'; maxResidualBytes: number }
  | { ok: false; kind: 'bad_data_uri'; field: string; message: string };

export interface ExtractLimits {
  /** What the body may weigh without its recordings (it is validated and stored on the event loop). */
  maxResidualBytes: number;
}

const STRICT_BASE64 = /^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;
const BASE64_MARKER = ';base64,';

/** `data:<mime>[;params];base64,<payload>` → the declared type and the decoded bytes, or why not. */
export function decodeDataUri(value: string): { declaredType: string; bytes: Uint8Array } | { error: string } {
  // Chrome writes MediaRecorder's `video/webm;codecs=vp9,opus` unquoted, comma included, so the payload starts
  // after the `;base64,` marker rather than after the first comma.
  const marker = value.indexOf(BASE64_MARKER);
  if (marker < 0) return { error: 'must be a base64 data URI (data:<type>;base64,<data>)' };
  const declaredType = value.slice(5, marker).split(';')[0].trim().toLowerCase();
  if (declaredType === '') return { error: 'the data URI has no media type' };
  if (!MIME_TYPE.test(declaredType))
    return { error: `the data URI's media type "${declaredType.slice(0, 60)}" is not a type/subtype` };
  const payload = value.slice(marker + BASE64_MARKER.length);
  if (payload.length === 0) return { error: 'the data URI is empty' };
  if (payload.length % 4 === 1 || !STRICT_BASE64.test(payload)) return { error: 'the data URI is not valid base64' };
  const decoded = Buffer.from(payload, 'base64');
  // A buffer that is exactly its own ArrayBuffer can be transferred to another thread as is; any other is copied.
  const bytes =
    decoded.byteOffset === 0 && decoded.buffer.byteLength === decoded.length ? decoded : new Uint8Array(decoded);
  return { declaredType, bytes };
}

/**
 * Parses `raw` (UTF-8 JSON) and takes every `data:` string out of the entries' recording fields: the field is set
 * to null in the returned body and its decoded bytes are listed in `embedded`. `residualBytes` estimates what the
 * body weighs without them (what would be stored), so the caller can bound it.
 */
export function extractEmbeddedMedia(raw: Uint8Array, limits: ExtractLimits): ExtractOutcome {
  // The shape limits on the raw bytes, before JSON.parse builds anything — and before a hostile body (110,000 keys,
  // 100 levels) could be cloned back to the event loop.
  const shape = checkJsonBytes(raw);
  if (shape) return { ok: false, kind: 'shape', code: shape.code, detail: shape.detail, errors: shape.errors ?? [] };
  let body: unknown;
  const text = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
  try {
    body = JSON.parse(text);
  } catch {
    return { ok: false, kind: 'malformed_json' };
  }
  const embedded: ExtractedMedia[] = [];
  let removedChars = 0;
  const history =
    body !== null && typeof body === 'object' ? (body as Record<string, unknown>).conversation_history : null;
  if (Array.isArray(history)) {
    for (let entryIndex = 0; entryIndex < history.length; entryIndex += 1) {
      const entry = history[entryIndex] as Record<string, unknown> | null;
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) continue;
      for (const field of Object.keys(EMBEDDED_MEDIA_FIELDS) as EmbeddedMediaField[]) {
        const value = entry[field];
        if (typeof value !== 'string' || !value.startsWith('data:')) continue;
        const decoded = decodeDataUri(value);
        if ('error' in decoded) {
          return {
            ok: false,
            kind: 'bad_data_uri',
            field: `conversation_history[${entryIndex}].${field}`,
            message: decoded.error,
          };
        }
        removedChars += value.length;
        entry[field] = null;
        embedded.push({ entryIndex, field, declaredType: decoded.declaredType, bytes: decoded.bytes });
      }
    }
  }
  const residualBytes = Math.max(0, raw.byteLength - removedChars);
  if (residualBytes > limits.maxResidualBytes)
    return { ok: false, kind: 'too_large', maxResidualBytes: limits.maxResidualBytes };
  return { ok: true, body, embedded, residualBytes };
}
