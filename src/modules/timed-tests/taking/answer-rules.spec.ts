import { AppError } from '../../../common/errors/app-error';
import { QuestionEntity } from '../entities/question.entity';
import { checkAnswers, deadlineOf, insideScheduleWindow, remainingSeconds } from './answer-rules';

const question = (id: string, type: QuestionEntity['type'], options: string[] | null = null) =>
  ({ id, type, options }) as QuestionEntity;
const QUESTIONS = [
  question('11111111-1111-4111-8111-111111111111', 'multiple_choice', ['a', 'b']),
  question('22222222-2222-4222-8222-222222222222', 'multi_select', ['x', 'y', 'z']),
  question('33333333-3333-4333-8333-333333333333', 'essay'),
];
const [MC, MULTI, ESSAY] = QUESTIONS.map((q) => q.id);

function codeOf(run: () => void): string | null {
  try {
    run();
    return null;
  } catch (error) {
    return (error as AppError).code;
  }
}

describe('checkAnswers', () => {
  it('accepts answers of the right shape, ids in any case', () => {
    expect(
      codeOf(() =>
        checkAnswers(QUESTIONS, [
          { question_id: MC.toUpperCase(), answer: 'a' },
          { question_id: MULTI, answer: ['z', 'x'] },
          { question_id: ESSAY, answer: 'text' },
        ]),
      ),
    ).toBeNull();
    expect(codeOf(() => checkAnswers(QUESTIONS, [{ question_id: MC, answer: '' }]))).toBeNull();
  });

  it.each([
    [
      'a question of another test',
      { question_id: '44444444-4444-4444-8444-444444444444', answer: 'a' },
      'QUESTION_NOT_IN_TEST',
    ],
    ['a list for a single choice', { question_id: MC, answer: ['a'] }, 'INVALID_ANSWER'],
    ['an unknown option', { question_id: MC, answer: 'c' }, 'INVALID_ANSWER'],
    ['a string for a multi select', { question_id: MULTI, answer: 'x' }, 'INVALID_ANSWER'],
    ['an unknown option in a multi select', { question_id: MULTI, answer: ['x', 'w'] }, 'INVALID_ANSWER'],
    ['a list for an essay', { question_id: ESSAY, answer: ['t'] }, 'INVALID_ANSWER'],
  ])('refuses %s', (_name, answer, code) => {
    expect(codeOf(() => checkAnswers(QUESTIONS, [answer]))).toBe(code);
  });

  it('refuses the same question twice', () => {
    expect(
      codeOf(() =>
        checkAnswers(QUESTIONS, [
          { question_id: ESSAY, answer: 'a' },
          { question_id: ESSAY, answer: 'b' },
        ]),
      ),
    ).toBe('INVALID_ANSWER');
  });
});

describe('deadlines and windows', () => {
  const start = new Date('2026-01-01T10:00:00.000Z');

  it('deadline = start + duration × (1 + extra/100)', () => {
    expect(deadlineOf(start, 30, 0).toISOString()).toBe('2026-01-01T10:30:00.000Z');
    expect(deadlineOf(start, 30, 50).toISOString()).toBe('2026-01-01T10:45:00.000Z');
    expect(deadlineOf(start, 1, 500).toISOString()).toBe('2026-01-01T10:06:00.000Z');
  });

  it('remaining seconds never go negative', () => {
    expect(remainingSeconds(new Date(start.getTime() + 90_500), start)).toBe(90);
    expect(remainingSeconds(start, new Date(start.getTime() + 1000))).toBe(0);
  });

  it('the window is ±minutes around the scheduled time; no schedule or no_schedule is always inside', () => {
    expect(insideScheduleWindow(start, false, new Date(start.getTime() - 30 * 60_000), 30)).toBe(true);
    expect(insideScheduleWindow(start, false, new Date(start.getTime() + 30 * 60_000 + 1), 30)).toBe(false);
    expect(insideScheduleWindow(start, true, new Date(0), 30)).toBe(true);
    expect(insideScheduleWindow(null, false, new Date(0), 30)).toBe(true);
  });
});
