import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsUUID, ValidateBy, ValidateNested } from 'class-validator';

export const MAX_ANSWER_LENGTH = 100_000;
const MAX_CHOICES = 100;

/** A string (multiple choice option, essay, code) or a list of strings (multi select); no NUL. */
function isAnswerValue(value: unknown): boolean {
  const ok = (s: unknown) => typeof s === 'string' && s.length <= MAX_ANSWER_LENGTH && !s.includes('\u0000');
  return ok(value) || (Array.isArray(value) && value.length <= MAX_CHOICES && value.every(ok));
}

export class AnswerDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('loose')
  question_id: string;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    description: 'The chosen option (multiple_choice), the chosen options (multi_select), or the text (essay, coding)',
  })
  @ValidateBy({
    name: 'answerValue',
    validator: {
      validate: isAnswerValue,
      defaultMessage: () =>
        `answer must be a string or a list of at most ${MAX_CHOICES} strings, each at most ${MAX_ANSWER_LENGTH} characters`,
    },
  })
  answer: string | string[];
}

export class AnswersDto {
  @ApiProperty({ type: [AnswerDto] })
  @IsArray()
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => AnswerDto)
  answers: AnswerDto[];
}
