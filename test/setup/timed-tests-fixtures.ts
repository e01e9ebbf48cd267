import { DataSource } from 'typeorm';
import { newInvitationToken } from '../../src/modules/timed-tests/invitations/invitation-token';
import { AnswerValue, attemptScores, autoScoreAnswer, ScorableQuestion } from '../../src/modules/timed-tests/scoring';
import type { QuestionType } from '../../src/modules/timed-tests/entities/question.entity';
import type { TestApp } from './test-app';

/**
 * Timed-tests rows written straight into the database (on the app's DataSource), for specs that need tests,
 * invitations and attempts in a given state without going through every route: a submitted attempt with chosen
 * answers, an invitation already in progress, a test edited after an attempt. Generic on purpose: every timed-tests
 * spec may use them. Each returns the ids (and, for invitations, the token) it made.
 */

export interface FixtureQuestion {
  type: QuestionType;
  question?: string;
  options?: string[] | null;
  correct_answer?: string | null;
  correct_answers?: string[] | null;
  expected_language?: string | null;
  points?: number;
}

export interface FixtureQuestionRow extends ScorableQuestion {
  position: number;
  question: string;
  options: string[] | null;
}

export interface FixtureTest {
  testId: string;
  versionId: string;
  tenantId: string;
  questions: FixtureQuestionRow[];
}

/** MCQ (2 points) + multi-select (3 points) + essay (5 points): the mixed test of the scoring rules. */
export const MIXED_QUESTIONS: FixtureQuestion[] = [
  { type: 'multiple_choice', question: '2 + 2?', options: ['3', '4', '5'], correct_answer: '4', points: 2 },
  {
    type: 'multi_select',
    question: 'Primes?',
    options: ['2', '3', '4', '6'],
    correct_answers: ['2', '3'],
    points: 3,
  },
  { type: 'essay', question: 'Describe a hard bug you fixed.', points: 5 },
];

/** A test with version 1 and its questions, as the create route would store it. */
export async function createTestWithQuestions(
  t: TestApp | { db: DataSource },
  fields: {
    tenantId: string;
    createdBy?: string | null;
    title?: string;
    description?: string;
    duration_minutes?: number;
    pass_mark_percent?: number | null;
    questions?: FixtureQuestion[];
    is_active?: boolean;
  },
): Promise<FixtureTest> {
  const db = t.db;
  const title = fields.title ?? 'Fixture test';
  const description = fields.description ?? '';
  const duration = fields.duration_minutes ?? 30;
  const passMark = fields.pass_mark_percent ?? null;
  return db.transaction(async (em) => {
    const [test] = await em.query(
      `INSERT INTO tests (tenant_id, title, description, duration_minutes, pass_mark_percent, created_by, is_active,
                          deleted_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $7 THEN NULL ELSE clock_timestamp() END) RETURNING id`,
      [fields.tenantId, title, description, duration, passMark, fields.createdBy ?? null, fields.is_active ?? true],
    );
    const versionId = await insertVersion(em, fields.tenantId, test.id, 1, {
      title,
      description,
      duration,
      passMark,
      createdBy: fields.createdBy ?? null,
    });
    await em.query(`UPDATE tests SET current_version_id = $1 WHERE id = $2`, [versionId, test.id]);
    const questions = await insertQuestions(em, fields.tenantId, versionId, fields.questions ?? MIXED_QUESTIONS);
    return { testId: test.id as string, versionId, tenantId: fields.tenantId, questions };
  });
}

/** A new version of an existing test with these questions, made current (what an edit after an attempt does). */
export async function addTestVersion(
  t: TestApp | { db: DataSource },
  test: FixtureTest,
  questions: FixtureQuestion[],
  title = 'Fixture test v2',
): Promise<FixtureTest> {
  return t.db.transaction(async (em) => {
    const [{ version }] = await em.query(`SELECT max(version)::int AS version FROM test_versions WHERE test_id = $1`, [
      test.testId,
    ]);
    const [row] = await em.query(`SELECT * FROM tests WHERE id = $1`, [test.testId]);
    const versionId = await insertVersion(em, test.tenantId, test.testId, version + 1, {
      title,
      description: row.description,
      duration: row.duration_minutes,
      passMark: row.pass_mark_percent,
      createdBy: row.created_by,
    });
    await em.query(`UPDATE tests SET current_version_id = $1, version = $2, title = $3 WHERE id = $4`, [
      versionId,
      version + 1,
      title,
      test.testId,
    ]);
    return { ...test, versionId, questions: await insertQuestions(em, test.tenantId, versionId, questions) };
  });
}

type Querier = { query: (sql: string, params?: unknown[]) => Promise<any> }; // eslint-disable-line @typescript-eslint/no-explicit-any

async function insertVersion(
  em: Querier,
  tenantId: string,
  testId: string,
  version: number,
  v: {
    title: string;
    description: string;
    duration: number;
    passMark: number | string | null;
    createdBy: string | null;
  },
): Promise<string> {
  const [row] = await em.query(
    `INSERT INTO test_versions (tenant_id, test_id, version, title, description, duration_minutes, pass_mark_percent,
                                created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
    [tenantId, testId, version, v.title, v.description, v.duration, v.passMark, v.createdBy],
  );
  return row.id as string;
}

async function insertQuestions(
  em: Querier,
  tenantId: string,
  versionId: string,
  questions: FixtureQuestion[],
): Promise<FixtureQuestionRow[]> {
  const rows: FixtureQuestionRow[] = [];
  for (const [position, q] of questions.entries()) {
    const options = q.options ?? null;
    const correctAnswers = q.correct_answers ?? null;
    const [row] = await em.query(
      `INSERT INTO questions (tenant_id, test_version_id, position, type, question, options, correct_answer,
                              correct_answers, expected_language, points)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8::jsonb, $9, $10) RETURNING id`,
      [
        tenantId,
        versionId,
        position,
        q.type,
        q.question ?? `Question ${position + 1}`,
        options === null ? null : JSON.stringify(options),
        q.correct_answer ?? null,
        correctAnswers === null ? null : JSON.stringify(correctAnswers),
        q.expected_language ?? null,
        q.points ?? 1,
      ],
    );
    rows.push({
      id: row.id as string,
      position,
      type: q.type,
      question: q.question ?? `Question ${position + 1}`,
      options,
      correct_answer: q.correct_answer ?? null,
      correct_answers: correctAnswers,
      points: q.points ?? 1,
    });
  }
  return rows;
}

export interface FixtureInvitation {
  id: string;
  /** The raw token (only its hash is stored). */
  token: string;
}

/** An invitation row in any state; the token is a real one (its SHA-256 stored). */
export async function createInvitationRow(
  t: TestApp | { db: DataSource },
  fields: {
    tenantId: string;
    testId: string;
    email?: string;
    name?: string;
    status?: 'sent' | 'scheduled' | 'in_progress' | 'completed' | 'expired' | 'cancelled';
    invitedBy?: string | null;
    expiresAt?: Date;
    scheduledDate?: Date | null;
    adminScheduled?: boolean;
    noSchedule?: boolean;
    extraTimePercent?: number;
    createdAt?: Date;
  },
): Promise<FixtureInvitation> {
  const { token, hash } = newInvitationToken();
  const status = fields.status ?? 'sent';
  const [row] = await t.db.query(
    `INSERT INTO invitations (tenant_id, test_id, applicant_email, applicant_name, invited_by, token_hash, expires_at,
                              scheduled_date, admin_scheduled, no_schedule, extra_time_percent, status, cancelled_at,
                              created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::varchar,
             CASE WHEN $12::varchar = 'cancelled' THEN clock_timestamp() END, coalesce($13::timestamptz, clock_timestamp()))
     RETURNING id`,
    [
      fields.tenantId,
      fields.testId,
      fields.email ?? `candidate-${Math.random().toString(36).slice(2, 10)}@example.com`,
      fields.name ?? 'Fixture Candidate',
      fields.invitedBy ?? null,
      hash,
      fields.expiresAt ?? new Date(Date.now() + 30 * 86_400_000),
      fields.scheduledDate ?? null,
      fields.adminScheduled ?? false,
      fields.noSchedule ?? false,
      fields.extraTimePercent ?? 0,
      status,
      fields.createdAt ?? null,
    ],
  );
  return { id: row.id as string, token };
}

export interface FixtureAttempt {
  attemptId: string;
  invitationId: string;
  token: string;
  /** answer row ids by question id */
  answerIds: Record<string, string>;
}

/**
 * An invitation and its attempt, submitted with these answers (by question id) and scored with the app's own
 * scoring functions — or, with `status: 'in_progress'`, started and autosaved but not submitted. The invitation
 * ends `completed` (or `in_progress`).
 */
export async function createSubmittedAttempt(
  t: TestApp | { db: DataSource },
  test: FixtureTest,
  fields: {
    answers?: Record<string, AnswerValue>;
    email?: string;
    name?: string;
    status?: 'submitted' | 'auto_submitted' | 'terminated' | 'in_progress';
    startedAt?: Date;
    submittedAt?: Date;
    isMonitored?: boolean;
    passMarkPercent?: number | null;
  } = {},
): Promise<FixtureAttempt> {
  const status = fields.status ?? 'submitted';
  const inProgress = status === 'in_progress';
  const submittedAt = inProgress ? null : (fields.submittedAt ?? new Date());
  const startedAt = fields.startedAt ?? new Date((submittedAt ?? new Date()).getTime() - 10 * 60_000);
  const email = fields.email ?? `candidate-${Math.random().toString(36).slice(2, 10)}@example.com`;
  const invitation = await createInvitationRow(t, {
    tenantId: test.tenantId,
    testId: test.testId,
    email,
    name: fields.name,
    status: inProgress ? 'in_progress' : 'completed',
  });
  const [version] = await t.db.query(`SELECT duration_minutes, pass_mark_percent FROM test_versions WHERE id = $1`, [
    test.versionId,
  ]);
  const passMark =
    fields.passMarkPercent !== undefined
      ? fields.passMarkPercent
      : version.pass_mark_percent === null
        ? null
        : Number(version.pass_mark_percent);
  const answers = fields.answers ?? {};
  const scored = test.questions
    .filter((q) => answers[q.id] !== undefined)
    .map((q) => ({ q, answer: answers[q.id], score: autoScoreAnswer(q, answers[q.id]) }));
  const scores = inProgress
    ? null
    : attemptScores(
        test.questions,
        scored.map(({ q, score }) => ({ question_id: q.id, auto_points: score.auto_points, manual_score: null })),
        passMark,
      );
  return t.db.transaction(async (em) => {
    await em.query(`UPDATE invitations SET started_at = $2, completed_at = $3 WHERE id = $1`, [
      invitation.id,
      startedAt,
      submittedAt,
    ]);
    const [attempt] = await em.query(
      `INSERT INTO test_attempts (tenant_id, invitation_id, test_id, test_version_id, applicant_email, status,
                                  started_at, deadline, submitted_at, auto_score, manual_score, final_score,
                                  scoring_status, passed, is_monitored)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
      [
        test.tenantId,
        invitation.id,
        test.testId,
        test.versionId,
        email,
        status,
        startedAt,
        new Date(startedAt.getTime() + version.duration_minutes * 60_000),
        submittedAt,
        scores?.auto_score ?? null,
        scores?.manual_score ?? null,
        scores?.final_score ?? null,
        scores?.scoring_status ?? null,
        scores?.passed ?? null,
        fields.isMonitored ?? false,
      ],
    );
    const answerIds: Record<string, string> = {};
    for (const { q, answer, score } of scored) {
      const [row] = await em.query(
        `INSERT INTO attempt_answers (tenant_id, attempt_id, question_id, answer, is_correct, auto_points,
                                      manual_score_status)
         VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7) RETURNING id`,
        [
          test.tenantId,
          attempt.id,
          q.id,
          JSON.stringify(answer),
          inProgress ? null : score.is_correct,
          inProgress ? null : score.auto_points,
          inProgress ? null : score.manual_score_status,
        ],
      );
      answerIds[q.id] = row.id as string;
    }
    await em.query(
      `INSERT INTO attempt_events (tenant_id, attempt_id, invitation_id, type, created_at) VALUES ($1, $2, $3, 'started', $4)`,
      [test.tenantId, attempt.id, invitation.id, startedAt],
    );
    if (!inProgress) {
      await em.query(
        `INSERT INTO attempt_events (tenant_id, attempt_id, invitation_id, type, created_at) VALUES ($1, $2, $3, $4, $5)`,
        [
          test.tenantId,
          attempt.id,
          invitation.id,
          status === 'auto_submitted' ? 'auto_submitted' : status,
          submittedAt,
        ],
      );
    }
    return { attemptId: attempt.id as string, invitationId: invitation.id, token: invitation.token, answerIds };
  });
}
