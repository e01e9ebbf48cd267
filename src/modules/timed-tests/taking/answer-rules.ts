import { QuestionEntity } from '../entities/question.entity';
import { INVALID_ANSWER, QUESTION_NOT_IN_TEST } from './taking.errors';
import { AnswerDto } from './dto/answers.dto';

/**
 * Answers must name questions of the attempt's own test version (400 otherwise: the original accepted any question
 * id in the database), each once, with a value of the question's shape: one string for multiple_choice, essay and
 * coding; a list of strings for multi_select. A multiple-choice answer must be one of the options.
 */
export function checkAnswers(questions: readonly QuestionEntity[], answers: readonly AnswerDto[]): void {
  const byId = new Map(questions.map((q) => [q.id, q]));
  const seen = new Set<string>();
  answers.forEach((answer, index) => {
    const question = byId.get(answer.question_id.toLowerCase());
    if (!question) throw QUESTION_NOT_IN_TEST(index);
    if (seen.has(question.id)) throw INVALID_ANSWER(index, 'answers the same question twice');
    seen.add(question.id);
    if (question.type === 'multi_select') {
      if (!Array.isArray(answer.answer)) throw INVALID_ANSWER(index, 'must be a list of options (multi_select)');
      if (question.options && answer.answer.some((a) => !question.options!.includes(a))) {
        throw INVALID_ANSWER(index, 'must only contain options of the question');
      }
    } else {
      if (typeof answer.answer !== 'string') throw INVALID_ANSWER(index, `must be a string (${question.type})`);
      if (
        question.type === 'multiple_choice' &&
        answer.answer !== '' &&
        question.options &&
        !question.options.includes(answer.answer)
      ) {
        throw INVALID_ANSWER(index, 'must be one of the options of the question');
      }
    }
  });
}

/** The time left before `deadline`, in whole seconds, never negative. */
export function remainingSeconds(deadline: Date, now: Date): number {
  return Math.max(0, Math.floor((deadline.getTime() - now.getTime()) / 1000));
}

/** deadline = started_at + duration × (1 + extra_time_percent / 100) (SPEC §5). */
export function deadlineOf(startedAt: Date, durationMinutes: number, extraTimePercent: number): Date {
  return new Date(startedAt.getTime() + Math.round(durationMinutes * 60_000 * (1 + extraTimePercent / 100)));
}

/** With a scheduled time (and no `no_schedule`), a test starts only within ±window of it. */
export function insideScheduleWindow(
  scheduled: Date | null,
  noSchedule: boolean,
  now: Date,
  windowMinutes: number,
): boolean {
  if (!scheduled || noSchedule) return true;
  return Math.abs(now.getTime() - scheduled.getTime()) <= windowMinutes * 60_000;
}
