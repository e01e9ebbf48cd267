import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { Nullable } from '../../../../common/validation/optional';
import { Trim } from '../../../../common/validation/transforms';
import { QUESTION_TYPES, QuestionType } from '../../entities/question.entity';

/** The bounds of a test body (README, "Timed tests"). */
export const TEST_LIMITS = {
  titleLength: 255,
  descriptionLength: 10_000,
  questions: 200,
  questionLength: 10_000,
  options: 20,
  optionLength: 1_000,
  /** a coding question's reference solution may be long */
  correctAnswerLength: 50_000,
  languageLength: 50,
  points: 1_000,
  durationMinutes: 1_440,
} as const;

const SINGLE_LINE = /^[^\u0000-\u001f\u007f]*$/;
const NO_NUL = /^[^\u0000]*$/;
const noNul = { message: '$property must not contain NUL characters' };

/** Trims each string of a list (options and keys are compared trimmed). */
const TrimEach = () =>
  Transform(({ value }) =>
    Array.isArray(value) ? value.map((v: unknown) => (typeof v === 'string' ? v.trim() : v)) : value,
  );

const OptionList = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: [String], nullable: true, maxItems: TEST_LIMITS.options, description }),
    Nullable(),
    TrimEach(),
    IsArray(),
    ArrayMaxSize(TEST_LIMITS.options),
    IsString({ each: true }),
    MaxLength(TEST_LIMITS.optionLength, { each: true }),
    Matches(NO_NUL, { each: true, ...noNul }),
  );

export class QuestionInputDto {
  @ApiPropertyOptional({ description: 'Ignored: the server gives every question a new id' })
  @IsOptional()
  id?: unknown;

  @ApiProperty({ enum: QUESTION_TYPES })
  @IsIn(QUESTION_TYPES)
  type: QuestionType;

  @ApiProperty({ maxLength: TEST_LIMITS.questionLength, example: 'What is 2 + 2?' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEST_LIMITS.questionLength)
  @Matches(NO_NUL, noNul)
  question: string;

  @OptionList('multiple_choice and multi_select: 2 or more distinct, non-empty choices')
  options?: string[] | null;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    maxLength: TEST_LIMITS.correctAnswerLength,
    description: 'multiple_choice: one of the options; coding: an optional reference solution',
  })
  @Nullable()
  @IsString()
  @MaxLength(TEST_LIMITS.correctAnswerLength)
  @Matches(NO_NUL, noNul)
  correct_answer?: string | null;

  @OptionList('multi_select: the correct options (a non-empty subset of options, no duplicates)')
  correct_answers?: string[] | null;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: TEST_LIMITS.languageLength, example: 'python' })
  @Nullable()
  @Trim()
  @IsString()
  @MaxLength(TEST_LIMITS.languageLength)
  @Matches(SINGLE_LINE, { message: '$property must not contain control characters' })
  expected_language?: string | null;

  @ApiPropertyOptional({ default: 1, minimum: 0, maximum: TEST_LIMITS.points })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(TEST_LIMITS.points)
  points?: number;
}

/** POST /api/tests and PUT /api/tests/{id}: the whole test (an update replaces it). */
export class TestInputDto {
  @ApiProperty({ maxLength: TEST_LIMITS.titleLength, example: 'JavaScript basics' })
  @Trim()
  @IsString()
  @IsNotEmpty()
  @MaxLength(TEST_LIMITS.titleLength)
  @Matches(SINGLE_LINE, { message: '$property must not contain control characters' })
  title: string;

  @ApiPropertyOptional({ type: String, nullable: true, default: '', maxLength: TEST_LIMITS.descriptionLength })
  @Nullable()
  @IsString()
  @MaxLength(TEST_LIMITS.descriptionLength)
  @Matches(NO_NUL, noNul)
  description?: string | null;

  @ApiProperty({ minimum: 1, maximum: TEST_LIMITS.durationMinutes, example: 30 })
  @IsInt()
  @Min(1)
  @Max(TEST_LIMITS.durationMinutes)
  duration_minutes: number;

  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    minimum: 0,
    maximum: 100,
    example: 60,
    description: 'Final score (percent) needed to pass; none: `passed` stays null',
  })
  @Nullable()
  @IsNumber({ allowNaN: false, allowInfinity: false, maxDecimalPlaces: 2 })
  @Min(0)
  @Max(100)
  pass_mark_percent?: number | null;

  @ApiProperty({ type: [QuestionInputDto], minItems: 1, maxItems: TEST_LIMITS.questions })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(TEST_LIMITS.questions)
  @ValidateNested({ each: true })
  @Type(() => QuestionInputDto)
  questions: QuestionInputDto[];
}

export class CreateTestDto extends TestInputDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Superadmin: the tenant to create the test in (default: its own). Admin: only its own (else 403).',
  })
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsUUID('loose')
  tenant_id?: string;
}

export class UpdateTestDto extends TestInputDto {}
