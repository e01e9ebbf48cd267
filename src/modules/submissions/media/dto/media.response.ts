import { ApiProperty } from '@nestjs/swagger';
import { MEDIA_FILE_TYPES, MediaFileEntity, MediaFileType } from '../../entities/media-file.entity';
import { MAX_FOLLOW_UP_SEQUENCE, MAX_QUESTION_INDEX, MAX_SCENARIO_ID_LENGTH } from '../media-fields';

const STORAGE_URL_DESCRIPTION =
  'A download link a browser can play without a token, valid for at most 15 minutes: on S3 a presigned link; on ' +
  'local storage an absolute, signed link (PUBLIC_BASE_URL/api/v1/media/{media_id}/file?expires=…&signature=…). ' +
  'The bearer-authorised /content route serves the same file. Never a filesystem path or storage key.';

export class MediaFileResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ description: "The client's file name, sanitised; for display only", example: 'Q1_video.webm' })
  file_name: string;
  @ApiProperty({ enum: MEDIA_FILE_TYPES }) file_type: MediaFileType;
  @ApiProperty({ description: 'Derived from the content, codec parameters dropped', example: 'video/webm' })
  mime_type: string;
  @ApiProperty({ description: 'Bytes' }) file_size: number;
  @ApiProperty({ description: '0-based index of the answered entry', minimum: 0 }) question_index: number;
  @ApiProperty({ nullable: true, type: String }) scenario_id: string | null;
  @ApiProperty() is_follow_up: boolean;
  @ApiProperty({ description: '0 = the base question; 1, 2… its follow-ups' }) follow_up_sequence: number;
  @ApiProperty({ description: STORAGE_URL_DESCRIPTION }) storage_url: string;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export class MediaUploadResponse {
  @ApiProperty({ example: 'Media uploaded' }) message: string;
  @ApiProperty({ format: 'uuid' }) media_file_id: string;
  @ApiProperty({ description: STORAGE_URL_DESCRIPTION }) storage_url: string;
  @ApiProperty() file_size: number;
  @ApiProperty() file_name: string;
  @ApiProperty({ enum: MEDIA_FILE_TYPES }) file_type: MediaFileType;
  @ApiProperty() mime_type: string;
  @ApiProperty() question_index: number;
  @ApiProperty({ nullable: true, type: String }) scenario_id: string | null;
  @ApiProperty() is_follow_up: boolean;
  @ApiProperty() follow_up_sequence: number;
  @ApiProperty({ format: 'date-time' }) created_at: string;
}

export class MediaDeletedResponse {
  @ApiProperty({ example: 'Media file deleted' }) message: string;
  @ApiProperty({ format: 'uuid' }) id: string;
}

/** The multipart body, for the OpenAPI document only (the route parses the stream itself). */
export class UploadMediaBody {
  @ApiProperty({ type: 'string', format: 'binary', description: 'The recording; its content decides the stored type' })
  file: unknown;
  @ApiProperty({ type: 'integer', minimum: 0, maximum: MAX_QUESTION_INDEX }) question_index: number;
  @ApiProperty({ enum: MEDIA_FILE_TYPES }) file_type: MediaFileType;
  @ApiProperty({ required: false, maxLength: MAX_SCENARIO_ID_LENGTH }) scenario_id?: string;
  @ApiProperty({ required: false, enum: ['true', 'false', '1', '0'], default: 'false' }) is_follow_up?: string;
  @ApiProperty({ required: false, type: 'integer', minimum: 0, maximum: MAX_FOLLOW_UP_SEQUENCE, default: 0 })
  follow_up_sequence?: number;
  @ApiProperty({
    required: false,
    description: 'Sent by the frontend of the original Trajectorie API; accepted and ignored',
  })
  candidate_name?: string;
}

export function toMediaFileResponse(m: MediaFileEntity, storageUrl: string): MediaFileResponse {
  return {
    id: m.id,
    file_name: m.file_name,
    file_type: m.file_type,
    mime_type: m.mime_type,
    file_size: m.file_size,
    question_index: m.question_index,
    scenario_id: m.scenario_id,
    is_follow_up: m.is_follow_up,
    follow_up_sequence: m.follow_up_sequence,
    storage_url: storageUrl,
    created_at: m.created_at.toISOString(),
  };
}

export function toMediaUploadResponse(m: MediaFileEntity, storageUrl: string): MediaUploadResponse {
  const { id, ...rest } = toMediaFileResponse(m, storageUrl);
  return {
    message: 'Media uploaded',
    media_file_id: id,
    storage_url: rest.storage_url,
    file_size: rest.file_size,
    file_name: rest.file_name,
    file_type: rest.file_type,
    mime_type: rest.mime_type,
    question_index: rest.question_index,
    scenario_id: rest.scenario_id,
    is_follow_up: rest.is_follow_up,
    follow_up_sequence: rest.follow_up_sequence,
    created_at: rest.created_at,
  };
}
