import { DataSource } from 'typeorm';
import { Clock } from '../../src/common/clock/clock';
import { TestApp } from './test-app';

/**
 * Timed-test fixtures for the invitation and taking specs: tests inserted straight into the tables (the tests API
 * lives in its own feature), and a controllable clock on the running app.
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

export async function insertTest(
  db: DataSource,
  tenantId: string,
  options: { title?: string; durationMinutes?: number; passMark?: number | null; questions?: QuestionSpec[] } = {},
): Promise<InsertedTest> {
  const title = options.title ?? `Test ${Math.random().toString(36).slice(2, 8)}`;
  const duration = options.durationMinutes ?? 30;
  const questions = options.questions ?? MIXED_QUESTIONS;
  return db.transaction(async (m) => {
    const [test] = await m.query(
      `INSERT INTO tests (tenant_id, title, description, duration_minutes, pass_mark_percent)
       VALUES ($1, $2, 'A test', $3, $4) RETURNING id`,
      [tenantId, title, duration, options.passMark ?? null],
    );
    const [version] = await m.query(
      `INSERT INTO test_versions (tenant_id, test_id, version, title, description, duration_minutes, pass_mark_percent)
       VALUES ($1, $2, 1, $3, 'A test', $4, $5) RETURNING id`,
      [tenantId, test.id, title, duration, options.passMark ?? null],
    );
    await m.query(`UPDATE tests SET current_version_id = $1 WHERE id = $2`, [version.id, test.id]);
    const inserted: InsertedTest['questions'] = [];
    for (const [position, q] of questions.entries()) {
      const [row] = await m.query(
        `INSERT INTO questions (tenant_id, test_version_id, position, type, question, options, correct_answer,
                                correct_answers, points)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
        [
          tenantId,
          version.id,
          position,
          q.type,
          q.question ?? `Question ${position + 1}`,
          q.options ? JSON.stringify(q.options) : null,
          q.correct_answer ?? null,
          q.correct_answers ? JSON.stringify(q.correct_answers) : null,
          q.points ?? 1,
        ],
      );
      inserted.push({ id: row.id, type: q.type });
    }
    return { id: test.id, versionId: version.id, title, questions: inserted };
  });
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
