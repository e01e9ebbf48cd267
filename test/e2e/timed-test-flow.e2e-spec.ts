import { bearer } from '../setup/factories';
import { setupTwoTenants, TwoTenants } from '../setup/fixtures';
import { createTestApp, TestApp } from '../setup/test-app';
import { NO_WORKERS, allKeys, ANSWER_KEY_FIELDS } from '../setup/timed-tests';

/**
 * A timed test end to end through the API only: the admin writes a mixed test, invites the candidate, the candidate
 * reads, schedules, starts, autosaves and submits by the link, registers with the same token, sees the invitation
 * under my-invites; the admin reads the result with the keys and reviews the essay, which completes the score.
 */
describe('Timed test flow through the API', () => {
  let t: TestApp;
  let w: TwoTenants;

  beforeAll(async () => {
    t = await createTestApp(NO_WORKERS);
    w = await setupTwoTenants(t);
  });
  afterAll(() => t.close());

  it('test → invitation → take by token → submit → review → final score and pass mark', async () => {
    const admin = bearer(w.a.adminTokens);
    const test = await t
      .http()
      .post('/api/tests')
      .set(admin)
      .send({
        title: 'Flow',
        description: 'Mixed',
        duration_minutes: 30,
        pass_mark_percent: 60,
        questions: [
          { type: 'multiple_choice', question: '2+2?', options: ['3', '4'], correct_answer: '4', points: 2 },
          {
            type: 'multi_select',
            question: 'Vowels?',
            options: ['a', 'b', 'e'],
            correct_answers: ['a', 'e'],
            points: 3,
          },
          { type: 'essay', question: 'Why?', points: 5 },
        ],
      })
      .expect(201);
    const [mc, multi, essay] = test.body.questions.map((q: { id: string }) => q.id);
    const email = 'flow.candidate@example.test';
    const invite = await t
      .http()
      .post('/api/invites')
      .set(admin)
      .send({ test_id: test.body.id, applicant_email: email, applicant_name: 'Flo' })
      .expect(201);
    const token: string = invite.body.invite_token;

    const view = await t.http().get(`/api/invites/token/${token}`).expect(200);
    expect(view.body.test.questions).toHaveLength(3);
    for (const key of ANSWER_KEY_FIELDS) expect(allKeys(view.body).has(key)).toBe(false);
    const soon = new Date(Date.now() + 10 * 60_000).toISOString();
    await t.http().post(`/api/invites/token/${token}/schedule`).send({ scheduled_date: soon }).expect(200);

    const started = await t.http().post(`/api/start-test/${token}`).expect(200);
    expect(started.body.status).toBe('in_progress');
    await t
      .http()
      .put(`/api/take-test/${token}/answers`)
      .send({ answers: [{ question_id: essay, answer: 'Because.' }] })
      .expect(200);
    const take = await t.http().get(`/api/take-test/${token}`).expect(200);
    expect(take.body.saved_answers).toEqual([expect.objectContaining({ question_id: essay, answer: 'Because.' })]);
    for (const key of ANSWER_KEY_FIELDS) expect(allKeys(take.body).has(key)).toBe(false);

    const submitted = await t
      .http()
      .post(`/api/submit-test/${token}`)
      .set('Idempotency-Key', 'flow-1')
      .send({
        answers: [
          { question_id: mc, answer: '4' },
          { question_id: multi, answer: ['e', 'a'] },
        ],
      })
      .expect(200);
    expect(submitted.body).toMatchObject({
      score: null,
      auto_score: 100,
      final_score: null,
      scoring_status: 'needs_review',
      needs_manual_review: true,
      passed: null,
    });

    const [attempt] = await t.db.query(`SELECT id FROM test_attempts WHERE invitation_id = $1`, [invite.body.id]);
    const result = await t.http().get(`/api/results/${attempt.id}`).set(admin).expect(200);
    const essayAnswer = result.body.answers.find((a: { question_id: string }) => a.question_id === essay);
    expect(essayAnswer).toMatchObject({ answer: 'Because.' });
    expect(result.body.answers.find((a: { question_id: string }) => a.question_id === mc)).toMatchObject({
      answer: '4',
      correct_answer: '4',
    });
    const reviewed = await t
      .http()
      .post(`/api/results/${attempt.id}/answers/${essayAnswer.id}/score`)
      .set(admin)
      .send({ score: 4, comment: 'Good' })
      .expect(200);
    expect(reviewed.body).toMatchObject({ final_score: 90, scoring_status: 'fully_reviewed', passed: true });

    // the candidate registers with the same token (public registration is off) and finds the invitation
    const registered = await t
      .http()
      .post('/api/auth/register')
      .send({ email, password: 'Flow-pass-1', full_name: 'Flo', invite_token: token })
      .expect(201);
    expect(registered.body.tenant_id).toBe(w.a.tenant.id);
    const login = await t.http().post('/api/auth/login').send({ email, password: 'Flow-pass-1' }).expect(200);
    const mine = await t.http().get('/api/my-invites').set(bearer(login.body)).expect(200);
    expect(mine.body).toEqual([
      expect.objectContaining({ id: invite.body.id, status: 'completed', test_title: 'Flow' }),
    ]);
  });
});
