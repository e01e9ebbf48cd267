import type { FieldError } from '../../../common/errors/app-error';
import type { MediaFileType } from '../entities/media-file.entity';

/**
 * The text fields of a media upload that the server reads. Any other part (the first seed's frontend sends
 * `candidate_name`) is ignored rather than rejected: nothing in a multipart body is mass-assigned — only these
 * names are ever read — and refusing an extra field would silently lose a candidate's recorded answer.
 */
export const MEDIA_UPLOAD_FIELDS = [
  'question_index',
  'file_type',
  'scenario_id',
  'is_follow_up',
  'follow_up_sequence',
] as const;

/**
 * Upper bounds that keep indexes sane without tying them to the conversation's length: the frontend numbers
 * answered entries, and an upload may legitimately arrive for an entry the stored conversation does not show.
 */
export const MAX_QUESTION_INDEX = 999;
export const MAX_FOLLOW_UP_SEQUENCE = 99;
export const MAX_SCENARIO_ID_LENGTH = 100;

export interface MediaUploadFields {
  question_index: number;
  file_type: MediaFileType;
  scenario_id: string | null;
  is_follow_up: boolean;
  follow_up_sequence: number;
}

const TRUE_VALUES = new Set(['true', '1']);
const BOOLEAN_VALUES = new Set(['true', 'false', '1', '0']);
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

function integer(
  raw: string | undefined,
  field: string,
  max: number,
  errors: FieldError[],
  fallback?: number,
): number | undefined {
  const value = raw?.trim();
  if (value === undefined || value === '') {
    if (fallback === undefined) errors.push({ field, message: `${field} is required` });
    return fallback;
  }
  // Digits only: "1.5", "-1", "1e3" and "0x10" are all refused rather than coerced.
  if (!/^\d{1,6}$/.test(value) || Number(value) > max) {
    errors.push({ field, message: `${field} must be an integer from 0 to ${max}` });
    return undefined;
  }
  return Number(value);
}

function boolean(raw: string | undefined, field: string, errors: FieldError[]): boolean {
  const value = raw?.trim().toLowerCase();
  if (value === undefined || value === '') return false;
  if (!BOOLEAN_VALUES.has(value)) {
    errors.push({ field, message: `${field} must be one of: true, false, 1, 0` });
    return false;
  }
  return TRUE_VALUES.has(value);
}

function scenarioId(raw: string | undefined, errors: FieldError[]): string | null {
  const value = raw?.trim();
  if (value === undefined || value === '') return null;
  if (Array.from(value).length > MAX_SCENARIO_ID_LENGTH) {
    errors.push({ field: 'scenario_id', message: `scenario_id must be at most ${MAX_SCENARIO_ID_LENGTH} characters` });
  } else if (CONTROL_CHARS.test(value)) {
    errors.push({ field: 'scenario_id', message: 'scenario_id must not contain control characters' });
  }
  return value;
}

/** Validates the collected text fields; every problem is reported at once, as `errors[]` of a 400. */
export function parseMediaUploadFields(
  raw: Readonly<Record<string, string>>,
): { fields: MediaUploadFields; errors: [] } | { fields: null; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const questionIndex = integer(raw.question_index, 'question_index', MAX_QUESTION_INDEX, errors);
  const fileType = raw.file_type?.trim().toLowerCase();
  if (fileType !== 'video' && fileType !== 'audio') {
    errors.push({ field: 'file_type', message: 'file_type must be one of: video, audio' });
  }
  const fields = {
    question_index: questionIndex,
    file_type: fileType,
    scenario_id: scenarioId(raw.scenario_id, errors),
    is_follow_up: boolean(raw.is_follow_up, 'is_follow_up', errors),
    follow_up_sequence: integer(raw.follow_up_sequence, 'follow_up_sequence', MAX_FOLLOW_UP_SEQUENCE, errors, 0),
  };
  if (errors.length > 0) return { fields: null, errors };
  return { fields: fields as MediaUploadFields, errors: [] };
}
