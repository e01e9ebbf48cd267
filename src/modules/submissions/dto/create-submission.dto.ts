import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { Trim } from '../../../common/validation/transforms';
import type { TestType } from '../../../domain/test-types';
import { JsonStorable } from './json-storable';
import { LanguageField, Nullable, TestTypeField } from './submission-fields';

export const MAX_CONVERSATION_ENTRIES = 500;

/**
 * The owner and the tenant come from the token; a body naming user_id, tenant_id, status or anything else unknown
 * is rejected (400). The body may be up to SUBMISSION_MAX_BODY_BYTES, but apart from recordings embedded as data
 * URIs (submissionBodyMiddleware) it is bounded by 1 MB like every JSON body.
 */
export class CreateSubmissionDto {
  @ApiProperty({ example: 'Jane Doe', maxLength: 255 })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(255)
  candidate_name: string;

  @ApiPropertyOptional({
    example: 'CAND-001',
    maxLength: 100,
    nullable: true,
    type: String,
    description: '"" is stored as null',
  })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() || null : value))
  @Nullable()
  @IsString()
  @MaxLength(100)
  candidate_id?: string | null;

  @TestTypeField(true)
  test_type: TestType;

  @LanguageField('Language the candidate answered in')
  @IsOptional()
  candidate_language?: string;

  @LanguageField('Language of the interface')
  @IsOptional()
  ui_language?: string;

  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    maxItems: MAX_CONVERSATION_ENTRIES,
    description:
      'The interview, one object per question: {question, answer, preferredAnswer?, competency?, situation?, ' +
      'videoDataUri?, audioDataUri?, followUpGenerated?, …}. Stored as given, except recordings sent as base64 ' +
      'data URIs in videoDataUri / audioDataUri: each becomes a media file of the submission (question_index = the ' +
      'entry index) and the field keeps a reference, rendered as its download URL.',
  })
  @IsArray()
  @ArrayMaxSize(MAX_CONVERSATION_ENTRIES)
  @IsObject({ each: true, message: 'each entry of conversation_history must be an object' })
  @JsonStorable()
  conversation_history: object[];
}
