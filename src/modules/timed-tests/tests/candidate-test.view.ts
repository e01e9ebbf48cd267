import { ApiProperty } from '@nestjs/swagger';
import type { QuestionType } from '../entities/question.entity';
import { QUESTION_TYPES, QuestionEntity } from '../entities/question.entity';
import type { TestVersionEntity } from '../entities/test-version.entity';

/** A question as a candidate sees it: no `correct_answer`, no `correct_answers` (the answer keys stay on the server). */
export class CandidateQuestionView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: QUESTION_TYPES }) type: QuestionType;
  @ApiProperty() question: string;
  @ApiProperty({ type: [String], nullable: true, description: 'The choices (multiple_choice, multi_select)' })
  options: string[] | null;
  @ApiProperty({ type: String, nullable: true, example: 'python', description: 'coding questions' })
  expected_language: string | null;
  @ApiProperty({ example: 1 }) points: number;
}

/** The test a candidate takes: the version its attempt uses, its questions in order, and nothing secret. */
export class CandidateTestView {
  @ApiProperty({ format: 'uuid', description: 'The test id' }) id: string;
  @ApiProperty({ example: 3 }) version: number;
  @ApiProperty() title: string;
  @ApiProperty() description: string;
  @ApiProperty({ example: 30 }) duration_minutes: number;
  @ApiProperty() question_count: number;
  @ApiProperty() total_points: number;
  @ApiProperty({ type: [CandidateQuestionView] }) questions: CandidateQuestionView[];
}

/**
 * The candidate-safe view of a test version. Built field by field from an allow-list, so a column added to the
 * questions table later never reaches a candidate by accident.
 */
export function toCandidateTest(version: TestVersionEntity, questions: readonly QuestionEntity[]): CandidateTestView {
  const ordered = [...questions].sort((a, b) => a.position - b.position);
  return {
    id: version.test_id,
    version: version.version,
    title: version.title,
    description: version.description,
    duration_minutes: version.duration_minutes,
    question_count: ordered.length,
    total_points: ordered.reduce((sum, q) => sum + q.points, 0),
    questions: ordered.map(toCandidateQuestion),
  };
}

export function toCandidateQuestion(q: QuestionEntity): CandidateQuestionView {
  return {
    id: q.id,
    type: q.type,
    question: q.question,
    options: q.options ? [...q.options] : null,
    expected_language: q.expected_language,
    points: q.points,
  };
}
