import { QuestionEntity } from '../entities/question.entity';
import { TestVersionEntity } from '../entities/test-version.entity';
import { toCandidateTest } from './candidate-test.view';

function keysOf(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => keysOf(v, found));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      found.add(key);
      keysOf(inner, found);
    }
  }
  return found;
}

const version = Object.assign(new TestVersionEntity(), {
  id: 'v1',
  tenant_id: 'tenant',
  test_id: 'test',
  version: 3,
  title: 'Basics',
  description: 'Warm-up',
  duration_minutes: 20,
  pass_mark_percent: '60.00',
  created_by: 'admin',
  created_at: new Date(),
});

const question = (fields: Partial<QuestionEntity>) =>
  Object.assign(new QuestionEntity(), {
    tenant_id: 'tenant',
    test_version_id: 'v1',
    options: null,
    correct_answer: null,
    correct_answers: null,
    expected_language: null,
    points: 1,
    ...fields,
  });

describe('toCandidateTest', () => {
  const questions = [
    question({
      id: 'q2',
      position: 1,
      type: 'multi_select',
      question: 'Primes?',
      options: ['2', '3', '4'],
      correct_answers: ['2', '3'],
      points: 3,
    }),
    question({
      id: 'q1',
      position: 0,
      type: 'multiple_choice',
      question: '2 + 2?',
      options: ['3', '4'],
      correct_answer: '4',
      points: 2,
    }),
    question({
      id: 'q3',
      position: 2,
      type: 'coding',
      question: 'Print 1',
      correct_answer: 'print(1)',
      expected_language: 'python',
    }),
  ];

  it('the version header and the questions in position order, without answer keys or internal columns', () => {
    const view = toCandidateTest(version, questions);
    expect(view).toEqual({
      id: 'test',
      version: 3,
      title: 'Basics',
      description: 'Warm-up',
      duration_minutes: 20,
      question_count: 3,
      total_points: 6,
      questions: [
        {
          id: 'q1',
          type: 'multiple_choice',
          question: '2 + 2?',
          options: ['3', '4'],
          expected_language: null,
          points: 2,
        },
        {
          id: 'q2',
          type: 'multi_select',
          question: 'Primes?',
          options: ['2', '3', '4'],
          expected_language: null,
          points: 3,
        },
        { id: 'q3', type: 'coding', question: 'Print 1', options: null, expected_language: 'python', points: 1 },
      ],
    });
    const keys = keysOf(view);
    for (const secret of [
      'correct_answer',
      'correct_answers',
      'tenant_id',
      'test_version_id',
      'pass_mark_percent',
      'created_by',
    ]) {
      expect(keys.has(secret)).toBe(false);
    }
    expect(JSON.stringify(view)).not.toContain('print(1)');
  });

  it('copies the options, so the view never aliases the entities', () => {
    const view = toCandidateTest(version, questions);
    view.questions[0].options!.push('5');
    expect(questions[1].options).toEqual(['3', '4']);
  });
});
