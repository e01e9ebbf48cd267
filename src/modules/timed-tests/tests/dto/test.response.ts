import { ApiProperty } from '@nestjs/swagger';
import { QUESTION_TYPES, QuestionEntity, QuestionType } from '../../entities/question.entity';
import type { TestEntity } from '../../entities/test.entity';

/** A question with its answer keys: for staff only (candidates get CandidateQuestionView). */
export class QuestionResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: QUESTION_TYPES }) type: QuestionType;
  @ApiProperty() question: string;
  @ApiProperty({ type: [String], nullable: true }) options: string[] | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'multiple_choice: the correct option; coding/essay: a reference answer',
  })
  correct_answer: string | null;
  @ApiProperty({ type: [String], nullable: true, description: 'multi_select: the correct options' })
  correct_answers: string[] | null;
  @ApiProperty({ type: String, nullable: true }) expected_language: string | null;
  @ApiProperty() points: number;
}

export class TestResponse {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) tenant_id: string;
  @ApiProperty() title: string;
  @ApiProperty() description: string;
  @ApiProperty() duration_minutes: number;
  @ApiProperty({ type: Number, nullable: true }) pass_mark_percent: number | null;
  @ApiProperty({ description: 'The current version (new attempts use it); past attempts keep theirs' })
  version: number;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) created_by: string | null;
  @ApiProperty({ format: 'date-time' }) created_at: string;
  @ApiProperty({ format: 'date-time' }) updated_at: string;
  @ApiProperty({ description: 'false once deleted' }) is_active: boolean;
  @ApiProperty() question_count: number;
  @ApiProperty() total_points: number;
  @ApiProperty({ type: [QuestionResponse] }) questions: QuestionResponse[];
}

export function toQuestionResponse(q: QuestionEntity): QuestionResponse {
  return {
    id: q.id,
    type: q.type,
    question: q.question,
    options: q.options,
    correct_answer: q.correct_answer,
    correct_answers: q.correct_answers,
    expected_language: q.expected_language,
    points: q.points,
  };
}

/** The test with the questions of its current version (in position order). */
export function toTestResponse(test: TestEntity, questions: readonly QuestionEntity[]): TestResponse {
  const ordered = [...questions].sort((a, b) => a.position - b.position);
  return {
    id: test.id,
    tenant_id: test.tenant_id,
    title: test.title,
    description: test.description,
    duration_minutes: test.duration_minutes,
    pass_mark_percent: test.pass_mark_percent === null ? null : Number(test.pass_mark_percent),
    version: test.version,
    created_by: test.created_by,
    created_at: test.created_at.toISOString(),
    updated_at: test.updated_at.toISOString(),
    is_active: test.is_active,
    question_count: ordered.length,
    total_points: ordered.reduce((sum, q) => sum + q.points, 0),
    questions: ordered.map(toQuestionResponse),
  };
}
