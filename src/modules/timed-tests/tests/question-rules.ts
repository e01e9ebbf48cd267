import type { FieldError } from '../../../common/errors/app-error';
import type { QuestionType } from '../entities/question.entity';
import type { QuestionInputDto } from './dto/test-input.dto';

/** A question as it will be stored: only the fields its type uses, the others null. */
export interface NormalisedQuestion {
  position: number;
  type: QuestionType;
  question: string;
  options: string[] | null;
  correct_answer: string | null;
  correct_answers: string[] | null;
  expected_language: string | null;
  points: number;
}

/**
 * The per-type rules of a test's questions (README, "Timed tests"). Fields a type does not use are ignored and stored
 * null (the original frontend sends empty ones); what a type needs must be there and consistent:
 * - multiple_choice: 2+ distinct non-empty options; `correct_answer` one of them;
 * - multi_select: 2+ distinct non-empty options; `correct_answers` a non-empty subset of them, without duplicates;
 * - essay, coding: reviewed by staff; `correct_answer` is an optional reference answer, coding may name a language.
 * Options and keys are compared trimmed (scoring compares trimmed too).
 */
export function normaliseQuestions(questions: readonly QuestionInputDto[]): {
  questions: NormalisedQuestion[];
  errors: FieldError[];
} {
  const errors: FieldError[] = [];
  const normalised = questions.map((q, position) => {
    const field = (name: string) => `questions.${position}.${name}`;
    const fail = (name: string, message: string) =>
      errors.push({ field: field(name), message: `${field(name)} ${message}` });
    const base = { position, type: q.type, question: q.question, points: q.points ?? 1 };
    if (q.type === 'essay' || q.type === 'coding') {
      return {
        ...base,
        options: null,
        correct_answer: q.correct_answer ? q.correct_answer : null,
        correct_answers: null,
        expected_language: q.type === 'coding' ? q.expected_language || null : null,
      };
    }
    const options = q.options ?? [];
    if (options.length < 2) fail('options', 'must list at least 2 choices');
    if (options.some((o) => o === '')) fail('options', 'must not contain empty choices');
    if (new Set(options).size !== options.length) fail('options', 'must not contain the same choice twice');
    if (q.type === 'multiple_choice') {
      const key = q.correct_answer?.trim() ?? '';
      if (!options.includes(key)) fail('correct_answer', 'must be one of the options');
      return { ...base, options, correct_answer: key, correct_answers: null, expected_language: null };
    }
    const keys = q.correct_answers ?? [];
    if (keys.length === 0) fail('correct_answers', 'must list at least one correct option');
    if (new Set(keys).size !== keys.length) fail('correct_answers', 'must not contain the same option twice');
    if (keys.some((k) => !options.includes(k))) fail('correct_answers', 'must all be among the options');
    return { ...base, options, correct_answer: null, correct_answers: keys, expected_language: null };
  });
  return { questions: normalised, errors };
}
