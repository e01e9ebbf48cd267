import type { QuestionInputDto } from './dto/test-input.dto';
import { normaliseQuestions } from './question-rules';

const q = (fields: Partial<QuestionInputDto>): QuestionInputDto =>
  ({ type: 'multiple_choice', question: 'Q', ...fields }) as QuestionInputDto;

describe('normaliseQuestions', () => {
  it('keeps only the fields of each type, in order, points defaulting to 1', () => {
    const { questions, errors } = normaliseQuestions([
      q({ options: ['a', 'b'], correct_answer: ' b ', correct_answers: ['a'], expected_language: 'js' }),
      q({
        type: 'multi_select',
        options: ['a', 'b', 'c'],
        correct_answers: ['a', 'c'],
        correct_answer: 'a',
        points: 4,
      }),
      q({ type: 'essay', options: ['', ''], correct_answer: 'model answer', expected_language: 'js' }),
      q({ type: 'coding', options: [], correct_answer: '', expected_language: 'python', points: 0 }),
    ]);
    expect(errors).toEqual([]);
    expect(questions).toEqual([
      {
        position: 0,
        type: 'multiple_choice',
        question: 'Q',
        options: ['a', 'b'],
        correct_answer: 'b',
        correct_answers: null,
        expected_language: null,
        points: 1,
      },
      {
        position: 1,
        type: 'multi_select',
        question: 'Q',
        options: ['a', 'b', 'c'],
        correct_answer: null,
        correct_answers: ['a', 'c'],
        expected_language: null,
        points: 4,
      },
      {
        position: 2,
        type: 'essay',
        question: 'Q',
        options: null,
        correct_answer: 'model answer',
        correct_answers: null,
        expected_language: null,
        points: 1,
      },
      {
        position: 3,
        type: 'coding',
        question: 'Q',
        options: null,
        correct_answer: null,
        correct_answers: null,
        expected_language: 'python',
        points: 0,
      },
    ]);
  });

  it.each([
    [q({ options: ['a'], correct_answer: 'a' }), 'questions.0.options'],
    [q({ options: ['a', ''], correct_answer: 'a' }), 'questions.0.options'],
    [q({ options: ['a', 'a'], correct_answer: 'a' }), 'questions.0.options'],
    [q({ options: ['a', 'b'] }), 'questions.0.correct_answer'],
    [q({ options: ['a', 'b'], correct_answer: 'c' }), 'questions.0.correct_answer'],
    [q({ type: 'multi_select', options: ['a', 'b'] }), 'questions.0.correct_answers'],
    [q({ type: 'multi_select', options: ['a', 'b'], correct_answers: ['a', 'a'] }), 'questions.0.correct_answers'],
    [q({ type: 'multi_select', options: ['a', 'b'], correct_answers: ['c'] }), 'questions.0.correct_answers'],
    [q({ type: 'multi_select', correct_answers: ['a'] }), 'questions.0.options'],
  ])('refuses %j naming %s', (question, field) => {
    const { errors } = normaliseQuestions([question]);
    expect(errors.map((e) => e.field)).toContain(field);
  });

  it('names the position of the faulty question', () => {
    const { errors } = normaliseQuestions([q({ options: ['a', 'b'], correct_answer: 'a' }), q({ options: ['x'] })]);
    expect(errors.every((e) => e.field.startsWith('questions.1.'))).toBe(true);
  });
});
