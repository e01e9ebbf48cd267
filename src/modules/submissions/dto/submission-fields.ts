import { applyDecorators, Param, PipeTransform } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsString, Matches, MaxLength } from 'class-validator';
import { TEST_TYPES, TestType } from '../../../domain/test-types';
import { SUBMISSION_STATUSES } from '../entities/submission.entity';
import { Nullable, OptionalNotNull } from '../../../common/validation/optional';
import { VALIDATION_ERROR } from '../../../common/errors/common.errors';

export { Nullable, OptionalNotNull };

/** "sjt" and "SJT" are the same test type (configurations use lower case, submissions upper case). */
export const upperCaseTestType = (value: unknown) => (typeof value === 'string' ? value.trim().toUpperCase() : value);

export const TestTypeField = (required: boolean) =>
  applyDecorators(
    (required ? ApiProperty : ApiPropertyOptional)({ enum: TEST_TYPES, description: 'Case-insensitive on input' }),
    Transform(({ value }) => upperCaseTestType(value)),
    IsIn(TEST_TYPES),
  );

export const StatusField = () =>
  applyDecorators(ApiPropertyOptional({ enum: SUBMISSION_STATUSES }), IsIn(SUBMISSION_STATUSES));

/**
 * A language code as the first seed sent it ("en", "hi", "pt-BR"), at most 10 characters (the column's size).
 * Deliberately loose: it is a label for the analysis, not something the server interprets.
 */
export const LanguageField = (description: string) =>
  applyDecorators(
    ApiPropertyOptional({ description, example: 'en', default: 'en', maxLength: 10 }),
    IsString(),
    MaxLength(10),
    Matches(/^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$/, { message: '$property must be a language code such as "en"' }),
  );

class ParseTestTypePipe implements PipeTransform<string, TestType> {
  transform(value: string): TestType {
    const upper = upperCaseTestType(value);
    if (typeof upper === 'string' && (TEST_TYPES as readonly string[]).includes(upper)) return upper as TestType;
    throw VALIDATION_ERROR([{ field: 'test_type', message: `test_type must be one of: ${TEST_TYPES.join(', ')}` }]);
  }
}

/** A `:test_type` route parameter: "SJT" or "JDT", any case; anything else is a 400. */
export const TestTypeParam = (name = 'test_type') => Param(name, new ParseTestTypePipe());
