import { randomBytes } from 'node:crypto';
import * as bcrypt from 'bcrypt';
import { newInvitationToken } from '../../src/modules/timed-tests/invitations/invitation-token';
import type { BenchUser } from './database';
import { withPgClient } from '../../src/database/pg-client';

/**
 * Rows of the timed-tests scenarios (g) and (h), inserted directly (never measured): a tenant with an admin, `tests`
 * tests of `questions` questions each (version 1, the four question types in turn), one invitation whose attempt is
 * in progress with some answers saved (g: GET /api/take-test/{token}), and on demand batches of fresh invitations
 * for the simulated candidates (h).
 */
export interface BenchQuestion {
  id: string;
  type: 'multiple_choice' | 'multi_select' | 'essay' | 'coding';
  options: string[] | null;
}

export interface BenchTest {
  testId: string;
  versionId: string;
  questions: BenchQuestion[];
}

export interface TimedTestsTenant {
  tenantId: string;
  admin: BenchUser;
  tests: BenchTest[];
  /** The token of the invitation whose attempt is in progress with `savedAnswers` answers saved (g). */
  takeToken: string;
  savedAnswers: number;
}

const TYPES: BenchQuestion['type'][] = ['multiple_choice', 'multi_select', 'essay', 'coding'];

/** A question of the given type at `position`, with realistic lengths (a sentence or two, four options). */
function questionRow(test: number, position: number) {
  const type = TYPES[position % TYPES.length];
  const text =
    `Question ${position + 1} of test ${test + 1}: explain how you would approach a production incident where ` +
    `latency doubled after a deploy, and which metrics you would look at first.`;
  const options =
    type === 'multiple_choice' || type === 'multi_select'
      ? [`Option A ${position}`, `Option B ${position}`, `Option C ${position}`, `Option D ${position}`]
      : null;
  return {
    type,
    question: text,
    options,
    correct_answer:
      type === 'multiple_choice' ? options![1] : type === 'coding' ? 'function solve() { return 42; }' : null,
    correct_answers: type === 'multi_select' ? [options![0], options![2]] : null,
    expected_language: type === 'coding' ? 'typescript' : null,
    points: 1 + (position % 5),
  };
}

/** A valid answer to `q`; `round` makes texts grow with each autosave. */
export function answerTo(q: BenchQuestion, round: number, who = 0): string | string[] {
  if (q.type === 'multiple_choice') return q.options![(round + who) % q.options!.length];
  if (q.type === 'multi_select') return q.options!.slice(0, 1 + ((round + who) % q.options!.length));
  const line =
    q.type === 'coding'
      ? `const step${round} = (input: number[]) => input.map((x) => x * ${round + 1}); // candidate ${who}\n`
      : `In step ${round + 1} I would first check the dashboards, then the deploy diff (candidate ${who}). `;
  return line.repeat(round + 1);
}

export async function seedTimedTestsTenant(
  url: string,
  cost: number,
  tests: number,
  questionsPerTest: number,
  durationMinutes: number,
): Promise<TimedTestsTenant> {
  const suffix = randomBytes(4).toString('hex');
  const admin = { email: `bench-tests-admin-${suffix}@example.test`, password: 'Bench-Password-123' };
  const hash = await bcrypt.hash(admin.password, cost);
  return withPgClient(url, async (client) => {
    await client.query('BEGIN');
    const [{ id: tenantId }] = (
      await client.query(`INSERT INTO tenants (name, max_test_attempts) VALUES ($1, 1000) RETURNING id`, [
        `Bench timed tests ${suffix}`,
      ])
    ).rows as { id: string }[];
    const [{ id: adminId }] = (
      await client.query(
        `INSERT INTO users (email, password_hash, full_name, role, tenant_id)
         VALUES ($1, $2, 'Bench Tests Admin', 'admin', $3) RETURNING id`,
        [admin.email, hash, tenantId],
      )
    ).rows as { id: string }[];
    const seeded: BenchTest[] = [];
    for (let t = 0; t < tests; t += 1) {
      const title = `Bench test ${t + 1}`;
      const description = `A ${questionsPerTest}-question test of the four question types (bench seed ${t + 1}).`;
      // created a minute apart, so the list's order (created_at DESC, id DESC) is fixed
      const { rows: testRows } = await client.query(
        `INSERT INTO tests (tenant_id, title, description, duration_minutes, pass_mark_percent, created_by,
                            created_at, updated_at)
         VALUES ($1, $2, $3, $4, 60, $5, now() - make_interval(mins => $6), now() - make_interval(mins => $6))
         RETURNING id`,
        [tenantId, title, description, durationMinutes, adminId, tests - t],
      );
      const testId = (testRows[0] as { id: string }).id;
      const { rows: versionRows } = await client.query(
        `INSERT INTO test_versions (tenant_id, test_id, version, title, description, duration_minutes,
                                    pass_mark_percent, created_by)
         VALUES ($1, $2, 1, $3, $4, $5, 60, $6) RETURNING id`,
        [tenantId, testId, title, description, durationMinutes, adminId],
      );
      const versionId = (versionRows[0] as { id: string }).id;
      await client.query(`UPDATE tests SET current_version_id = $1 WHERE id = $2`, [versionId, testId]);
      const questions: BenchQuestion[] = [];
      for (let p = 0; p < questionsPerTest; p += 1) {
        const q = questionRow(t, p);
        const { rows } = await client.query(
          `INSERT INTO questions (tenant_id, test_version_id, position, type, question, options, correct_answer,
                                  correct_answers, expected_language, points)
           VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8::jsonb, $9, $10) RETURNING id`,
          [
            tenantId,
            versionId,
            p,
            q.type,
            q.question,
            q.options === null ? null : JSON.stringify(q.options),
            q.correct_answer,
            q.correct_answers === null ? null : JSON.stringify(q.correct_answers),
            q.expected_language,
            q.points,
          ],
        );
        questions.push({ id: (rows[0] as { id: string }).id, type: q.type, options: q.options });
      }
      seeded.push({ testId, versionId, questions });
    }

    // (g): an invitation of the first test, started 5 minutes ago, half of its questions answered and saved
    const test = seeded[0];
    const { token, hash: tokenHash } = newInvitationToken();
    const { rows: invitationRows } = await client.query(
      `INSERT INTO invitations (tenant_id, test_id, applicant_email, applicant_name, invited_by, token_hash,
                                expires_at, no_schedule, status, started_at)
       VALUES ($1, $2, $3, 'Bench Candidate', $4, $5, now() + interval '30 days', true, 'in_progress',
               now() - interval '5 minutes')
       RETURNING id`,
      [tenantId, test.testId, `bench-take-${suffix}@example.test`, adminId, tokenHash],
    );
    const invitationId = (invitationRows[0] as { id: string }).id;
    const { rows: attemptRows } = await client.query(
      `INSERT INTO test_attempts (tenant_id, invitation_id, test_id, test_version_id, applicant_email, status,
                                  started_at, deadline)
       VALUES ($1, $2, $3, $4, $5, 'in_progress', now() - interval '5 minutes',
               now() - interval '5 minutes' + make_interval(mins => $6))
       RETURNING id`,
      [tenantId, invitationId, test.testId, test.versionId, `bench-take-${suffix}@example.test`, durationMinutes],
    );
    const attemptId = (attemptRows[0] as { id: string }).id;
    const answered = test.questions.slice(0, Math.ceil(test.questions.length / 2));
    for (const [i, q] of answered.entries()) {
      await client.query(
        `INSERT INTO attempt_answers (tenant_id, attempt_id, question_id, answer, saved_at)
         VALUES ($1, $2, $3, $4::jsonb, now() - make_interval(secs => $5))`,
        [tenantId, attemptId, q.id, JSON.stringify(answerTo(q, 2, i)), 240 - i * 10],
      );
    }
    await client.query(
      `INSERT INTO attempt_events (tenant_id, attempt_id, invitation_id, type) VALUES ($1, $2, $3, 'started')`,
      [tenantId, attemptId, invitationId],
    );
    await client.query('COMMIT');
    return {
      tenantId,
      admin: { ...admin, hash },
      tests: seeded,
      takeToken: token,
      savedAnswers: answered.length,
    };
  });
}

export interface BenchInvitation {
  id: string;
  token: string;
}

/** `count` fresh invitations (status sent, no schedule, expiring in 30 days) of one test, in one statement. */
export async function seedInvitations(
  url: string,
  tenantId: string,
  testId: string,
  count: number,
  label: string,
): Promise<BenchInvitation[]> {
  const tokens = Array.from({ length: count }, () => newInvitationToken());
  return withPgClient(url, async (client) => {
    const { rows } = await client.query(
      `INSERT INTO invitations (tenant_id, test_id, applicant_email, applicant_name, token_hash, expires_at,
                                no_schedule, status)
       SELECT $1, $2, 'bench-' || $3 || '-' || n || '@example.test', 'Candidate ' || n, h,
              now() + interval '30 days', true, 'sent'
         FROM unnest($4::bytea[]) WITH ORDINALITY AS t(h, n)
        ORDER BY n
       RETURNING id, token_hash`,
      [tenantId, testId, label, tokens.map((t) => t.hash)],
    );
    const byHash = new Map(
      (rows as { id: string; token_hash: Buffer }[]).map((r) => [r.token_hash.toString('hex'), r.id]),
    );
    return tokens.map((t) => ({ id: byHash.get(t.hash.toString('hex'))!, token: t.token }));
  });
}
