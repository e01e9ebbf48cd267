import { DataSource } from 'typeorm';
import { Clock } from '../../src/common/clock/clock';
import { TestApp } from './test-app';
import { createTestWithQuestions } from './timed-tests-fixtures';

/**
 * Helpers of the invitation and taking specs: tests inserted through the shared timed-tests fixture, a
 * controllable clock on the running app, and a walk over every key of a response (no answer key may leak).
 */

export interface QuestionSpec {
  type: 'multiple_choice' | 'multi_select' | 'essay' | 'coding';
  question?: string;
  options?: string[];
  correct_answer?: string;
  correct_answers?: string[];
  points?: number;
}

export interface InsertedTest {
  id: string;
  versionId: string;
  title: string;
  questions: { id: string; type: QuestionSpec['type'] }[];
}

export const MIXED_QUESTIONS: QuestionSpec[] = [
  { type: 'multiple_choice', options: ['3', '4', '5'], correct_answer: '4', points: 2 },
  { type: 'multi_select', options: ['a', 'b', 'c'], correct_answers: ['a', 'c'], points: 3 },
  { type: 'essay', points: 5 },
];

/** A test of the tenant with version 1 (through the shared timed-tests fixture), as the specs here need it. */
export async function insertTest(
  db: DataSource,
  tenantId: string,
  options: { title?: string; durationMinutes?: number; passMark?: number | null; questions?: QuestionSpec[] } = {},
): Promise<InsertedTest> {
  const title = options.title ?? `Test ${Math.random().toString(36).slice(2, 8)}`;
  const created = await createTestWithQuestions(
    { db },
    {
      tenantId,
      title,
      description: 'A test',
      duration_minutes: options.durationMinutes ?? 30,
      pass_mark_percent: options.passMark ?? null,
      questions: options.questions ?? MIXED_QUESTIONS,
    },
  );
  return {
    id: created.testId,
    versionId: created.versionId,
    title,
    questions: created.questions.map((q) => ({ id: q.id, type: q.type })),
  };
}

/** Replaces the app's clock with one the test moves: `clock.set(date)`, `clock.advance(ms)`. */
export function controlClock(t: TestApp, start = new Date()) {
  let current = start.getTime();
  const clock = t.app.get(Clock);
  jest.spyOn(clock, 'now').mockImplementation(() => new Date(current));
  return {
    now: () => new Date(current),
    set: (at: Date) => {
      current = at.getTime();
    },
    advance: (ms: number) => {
      current += ms;
    },
  };
}

/** Every key anywhere in a JSON value (to prove no answer key leaks). */
export function allKeys(value: unknown, keys = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => allKeys(v, keys));
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      keys.add(key);
      allKeys(inner, keys);
    }
  }
  return keys;
}

/**
 * These specs move the app's clock by hand and call the sweeps themselves: no background worker (a minute's sweep
 * tick) may finalise an attempt behind their back.
 */
export const NO_WORKERS = { JOBS_ENABLED: 'false' } as const;

export const ANSWER_KEY_FIELDS = ['correct_answer', 'correct_answers', 'keys', 'answer_key', 'is_correct'];
