import { bearer, createUser, loginAs, Tokens } from '../setup/factories';
import { auditRows, setupTwoTenants, Staff } from '../setup/fixtures';
import { ISO, UUID } from '../setup/matchers';
import { createTestApp, TestApp } from '../setup/test-app';
import {
  createSubmittedAttempt,
  createTestWithQuestions,
  FixtureTest,
  MIXED_QUESTIONS,
} from '../setup/timed-tests-fixtures';

const UNKNOWN_ID = '6a1e0f52-4444-4444-8444-444444444444';

/** Every key anywhere in a JSON value. */
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

describe('Results API (/api/results, review, export, my-submissions)', () => {
  let t: TestApp;
  let a: Staff;
  let b: Staff;
  let superTokens: Tokens;
  let mixed: FixtureTest;

  const [mcq, multi, essay] = [0, 1, 2];
  const get = (id: string, tokens: Tokens = a.adminTokens) => t.http().get(`/api/results/${id}`).set(bearer(tokens));
  const score = (id: string, answerId: string, body: object, tokens: Tokens = a.adminTokens) =>
    t.http().post(`/api/results/${id}/answers/${answerId}/score`).set(bearer(tokens)).send(body);
  const attemptRow = async (id: string) => (await t.db.query(`SELECT * FROM test_attempts WHERE id = $1`, [id]))[0];
  const answerRows = (id: string) =>
    t.db.query(`SELECT * FROM attempt_answers WHERE attempt_id = $1 ORDER BY id`, [id]) as Promise<
      Array<Record<string, unknown>>
    >;
  /** A submitted attempt on the mixed test: MCQ right, multi-select wrong, an essay. */
  const submitMixed = (fields: Parameters<typeof createSubmittedAttempt>[2] = {}) =>
    createSubmittedAttempt(t, mixed, {
      answers: {
        [mixed.questions[mcq].id]: '4',
        [mixed.questions[multi].id]: ['2'],
        [mixed.questions[essay].id]: 'A long story.',
      },
      ...fields,
    });

  beforeAll(async () => {
    t = await createTestApp();
    ({ a, b, superTokens } = await setupTwoTenants(t));
    mixed = await createTestWithQuestions(t, {
      tenantId: a.tenant.id,
      createdBy: a.admin.id,
      title: 'Mixed',
      pass_mark_percent: 60,
      questions: MIXED_QUESTIONS,
    });
  });
  afterAll(() => t.close());

  it('401 without a token; 403 for proctors (but one result they watched) and candidates on the staff routes', async () => {
    const staffRoutes: Array<['get' | 'post', string]> = [
      ['get', '/api/results'],
      ['get', '/api/results/export.csv'],
      ['get', '/api/results/review-queue'],
      ['get', `/api/results/${UNKNOWN_ID}`],
      ['post', `/api/results/${UNKNOWN_ID}/answers/${UNKNOWN_ID}/score`],
      ['get', '/api/admin/scoring-queue'],
      ['get', `/api/admin/scoring/${UNKNOWN_ID}`],
      ['post', `/api/admin/scoring/${UNKNOWN_ID}/answer/${UNKNOWN_ID}`],
    ];
    for (const [method, url] of [...staffRoutes, ['get', '/api/my-submissions'] as const]) {
      const res = await t.http()[method](url).send({}).expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
    for (const tokens of [a.proctorTokens, a.candidateTokens]) {
      for (const [method, url] of staffRoutes) {
        const res = await t.http()[method](url).set(bearer(tokens)).send({ score: 1 });
        // a proctor may read one result, of an attempt it watched (docs/proctoring.md "REST"): an unknown one is 404
        const expected = tokens === a.proctorTokens && url === `/api/results/${UNKNOWN_ID}` ? 404 : 403;
        expect([url, res.status]).toEqual([url, expected]);
      }
    }
  });

  describe('list', () => {
    let own: Staff;
    let test1: FixtureTest;
    let test2: FixtureTest;
    let ids: Record<string, string>;

    beforeAll(async () => {
      ({ a: own } = await setupTwoTenants(t));
      test1 = await createTestWithQuestions(t, { tenantId: own.tenant.id, title: 'One' });
      test2 = await createTestWithQuestions(t, { tenantId: own.tenant.id, title: 'Two' });
      const at = (iso: string) => ({ submittedAt: new Date(iso) });
      ids = {
        jan1: (await createSubmittedAttempt(t, test1, at('2026-01-01T10:00:00Z'))).attemptId,
        jan2: (await createSubmittedAttempt(t, test2, at('2026-01-02T23:59:59.500Z'))).attemptId,
        jan3: (await createSubmittedAttempt(t, test1, { ...at('2026-01-03T00:00:00Z'), status: 'auto_submitted' }))
          .attemptId,
      };
      await createSubmittedAttempt(t, test1, { status: 'in_progress' });
    });

    const list = (query: Record<string, unknown>) =>
      t.http().get('/api/results').query(query).set(bearer(own.adminTokens)).expect(200);

    it('skip/limit: an array, newest first, X-Total-Count; in-progress attempts are not results', async () => {
      const res = await list({});
      expect(res.headers['x-total-count']).toBe('3');
      expect(res.body.map((r: { id: string }) => r.id)).toEqual([ids.jan3, ids.jan2, ids.jan1]);
      expect(res.body[0]).toEqual({
        submission_id: ids.jan3,
        id: ids.jan3,
        tenant_id: own.tenant.id,
        invite_id: UUID,
        test_id: test1.testId,
        test_version: 1,
        applicant_name: 'Fixture Candidate',
        applicant_email: expect.stringContaining('@example.com'),
        test_title: 'One',
        test_duration_minutes: 30,
        pass_mark_percent: null,
        score: null,
        auto_score: 0,
        manual_score: null,
        final_score: null,
        scoring_status: 'needs_review',
        passed: null,
        status: 'auto_submitted',
        started_at: ISO,
        submitted_at: '2026-01-03T00:00:00.000Z',
        is_monitored: false,
        reviewed_by: null,
        review_completed_at: null,
      });
      const page = await list({ skip: 1, limit: 1 });
      expect(page.headers['x-total-count']).toBe('3');
      expect(page.body.map((r: { id: string }) => r.id)).toEqual([ids.jan2]);
      const past = await list({ skip: 10 });
      expect(past.body).toEqual([]);
      expect(past.headers['x-total-count']).toBe('3');
    });

    it("page: the second seed's envelope", async () => {
      const res = await list({ page: 2, limit: 2 });
      expect(res.headers['x-total-count']).toBeUndefined();
      expect(res.body.results.map((r: { id: string }) => r.id)).toEqual([ids.jan1]);
      expect(res.body.pagination).toEqual({
        page: 2,
        limit: 2,
        total: 3,
        total_pages: 2,
        has_next: false,
        has_prev: true,
      });
      const first = await list({ page: 1 });
      expect(first.body.pagination).toMatchObject({ limit: 10, total_pages: 1, has_next: false, has_prev: false });
    });

    it('filters: test_id; start_date/end_date (a date-only end includes the whole day) and from/to', async () => {
      const idsOf = async (query: Record<string, unknown>) => (await list(query)).body.map((r: { id: string }) => r.id);
      expect(await idsOf({ test_id: test1.testId })).toEqual([ids.jan3, ids.jan1]);
      expect(await idsOf({ start_date: '2026-01-02', end_date: '2026-01-02' })).toEqual([ids.jan2]);
      expect(await idsOf({ from: '2026-01-01', to: '2026-01-02' })).toEqual([ids.jan2, ids.jan1]);
      expect(await idsOf({ start_date: '2026-01-02T12:00:00Z' })).toEqual([ids.jan3, ids.jan2]);
      expect(await idsOf({ end_date: '2026-01-02T23:59:59Z' })).toEqual([ids.jan1]);
      expect(await idsOf({ test_id: UNKNOWN_ID })).toEqual([]);
    });

    it('400 on bad filters', async () => {
      for (const query of [{ start_date: 'yesterday' }, { test_id: 'x' }, { page: 0 }, { limit: 0 }, { foo: 1 }]) {
        await t.http().get('/api/results').query(query).set(bearer(own.adminTokens)).expect(400);
      }
    });

    it("never lists another tenant's results; a superadmin sees every tenant", async () => {
      const foreign = await t.http().get('/api/results').query({ limit: 500 }).set(bearer(b.adminTokens)).expect(200);
      const foreignIds = foreign.body.map((r: { id: string }) => r.id);
      for (const id of Object.values(ids)) expect(foreignIds).not.toContain(id);
      const all = await t.http().get('/api/results').query({ limit: 500 }).set(bearer(superTokens)).expect(200);
      expect(all.body.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining(Object.values(ids)));
    });
  });

  describe('detail', () => {
    it('every question of the version taken, in order, with answers, keys and points; unanswered → null', async () => {
      const { attemptId, answerIds } = await createSubmittedAttempt(t, mixed, {
        answers: { [mixed.questions[mcq].id]: '3' },
        name: 'Grace Hopper',
      });
      const res = await get(attemptId).expect(200);
      expect(res.body).toMatchObject({
        id: attemptId,
        applicant_name: 'Grace Hopper',
        auto_score: 0,
        final_score: null,
        scoring_status: 'needs_review',
      });
      expect(res.body.answers).toEqual([
        {
          id: answerIds[mixed.questions[mcq].id],
          question_id: mixed.questions[mcq].id,
          position: 0,
          question: '2 + 2?',
          question_type: 'multiple_choice',
          options: ['3', '4', '5'],
          expected_language: null,
          answer: '3',
          correct_answer: '4',
          correct_answers: null,
          points: 2,
          is_correct: false,
          auto_points: 0,
          manual_score: null,
          manual_score_status: null,
          review_comments: null,
          reviewed_at: null,
        },
        expect.objectContaining({
          id: null,
          question_id: mixed.questions[multi].id,
          question_type: 'multi_select',
          answer: null,
          correct_answers: ['2', '3'],
          points: 3,
        }),
        expect.objectContaining({ id: null, question_id: mixed.questions[essay].id, answer: null, points: 5 }),
      ]);
    });

    it('400 malformed id; 404 unknown, foreign tenant or still in progress', async () => {
      const { attemptId } = await submitMixed();
      const running = await submitMixed({ status: 'in_progress' });
      expect((await get('nope').expect(400)).body.code).toBe('INVALID_ID');
      expect((await get(UNKNOWN_ID).expect(404)).body.code).toBe('RESULT_NOT_FOUND');
      await get(attemptId, b.adminTokens).expect(404);
      await get(running.attemptId).expect(404);
      await get(attemptId, superTokens).expect(200);
    });

    it('a test edit after the attempt leaves the result byte-identical (the old version is kept)', async () => {
      const test = await t
        .http()
        .post('/api/tests')
        .set(bearer(a.adminTokens))
        .send({
          title: 'Versioned',
          duration_minutes: 20,
          pass_mark_percent: 50,
          questions: MIXED_QUESTIONS,
        })
        .expect(201);
      const [version] = await t.db.query(`SELECT id FROM test_versions WHERE test_id = $1`, [test.body.id]);
      const fixture: FixtureTest = {
        testId: test.body.id,
        versionId: version.id,
        tenantId: a.tenant.id,
        questions: test.body.questions.map((q: Record<string, unknown>, position: number) => ({ ...q, position })),
      };
      const { attemptId, answerIds } = await createSubmittedAttempt(t, fixture, {
        answers: { [fixture.questions[0].id]: '4', [fixture.questions[2].id]: 'Essay' },
      });
      await score(attemptId, answerIds[fixture.questions[2].id], { score: 4, comment: 'Good' }).expect(200);
      const before = (await get(attemptId).expect(200)).text;

      await t
        .http()
        .put(`/api/tests/${test.body.id}`)
        .set(bearer(a.adminTokens))
        .send({
          title: 'Versioned, second edition',
          duration_minutes: 45,
          pass_mark_percent: 90,
          questions: [{ type: 'essay', question: 'Only this now', points: 50 }],
        })
        .expect(200);
      expect((await get(attemptId).expect(200)).text).toBe(before);
      expect(JSON.parse(before)).toMatchObject({ test_title: 'Versioned', test_version: 1, final_score: 60 }); // (2 + 0 + 4) / 10
    });
  });

  describe('manual review', () => {
    it('queue: attempts needing review, oldest first, with answer and review counts; X-Total-Count', async () => {
      const { a: own } = await setupTwoTenants(t);
      const test = await createTestWithQuestions(t, {
        tenantId: own.tenant.id,
        questions: [...MIXED_QUESTIONS, { type: 'coding', question: 'Code', points: 4 }],
      });
      const older = await createSubmittedAttempt(t, test, {
        answers: { [test.questions[2].id]: 'essay', [test.questions[3].id]: 'code' },
        submittedAt: new Date('2026-02-01T00:00:00Z'),
      });
      const newer = await createSubmittedAttempt(t, test, {
        answers: { [test.questions[0].id]: '4' },
        submittedAt: new Date('2026-02-02T00:00:00Z'),
      });
      const autoOnly = await createTestWithQuestions(t, {
        tenantId: own.tenant.id,
        questions: MIXED_QUESTIONS.slice(0, 2),
      });
      await createSubmittedAttempt(t, autoOnly);
      await score(older.attemptId, older.answerIds[test.questions[2].id], { score: 5 }, own.adminTokens).expect(200);

      const res = await t.http().get('/api/results/review-queue').set(bearer(own.adminTokens)).expect(200);
      expect(res.headers['x-total-count']).toBe('2');
      expect(res.body).toEqual([
        {
          submission_id: older.attemptId,
          id: older.attemptId,
          test_id: test.testId,
          test_title: 'Fixture test',
          applicant_name: 'Fixture Candidate',
          applicant_email: expect.any(String),
          submitted_at: '2026-02-01T00:00:00.000Z',
          scoring_status: 'partially_reviewed',
          total_answers: 2,
          manual_questions: 2,
          pending_reviews: 1,
        },
        expect.objectContaining({
          id: newer.attemptId,
          scoring_status: 'needs_review',
          total_answers: 1,
          manual_questions: 2,
          pending_reviews: 2,
        }),
      ]);
      const seed = await t.http().get('/api/admin/scoring-queue').set(bearer(own.adminTokens)).expect(200);
      expect(seed.body).toEqual({ submissions: res.body });
      const foreign = await t.http().get('/api/results/review-queue').set(bearer(b.adminTokens)).expect(200);
      expect(foreign.body.map((r: { id: string }) => r.id)).not.toContain(older.attemptId);
    });

    it('scores before and after review follow the formulas; the review is stored, logged and audited', async () => {
      const { attemptId, answerIds, invitationId } = await submitMixed();
      const essayAnswer = answerIds[mixed.questions[essay].id];
      const before = await get(attemptId).expect(200);
      // 2 of 5 auto points; the essay is pending
      expect(before.body).toMatchObject({
        auto_score: 40,
        manual_score: null,
        final_score: null,
        score: null,
        scoring_status: 'needs_review',
        passed: null,
      });

      const res = await score(attemptId, essayAnswer, { score: 2.5, comment: 'Half there' }).expect(200);
      // (2 + 0 + 2.5) / 10 = 45 %, under the 60 % pass mark
      expect(res.body).toMatchObject({
        id: attemptId,
        auto_score: 40,
        manual_score: 2.5,
        final_score: 45,
        score: 45,
        scoring_status: 'fully_reviewed',
        passed: false,
        reviewed_by: a.admin.id,
        review_completed_at: ISO,
      });
      expect(res.body.answers[essay]).toMatchObject({
        id: essayAnswer,
        manual_score: 2.5,
        manual_score_status: 'partial',
        review_comments: 'Half there',
        reviewed_at: ISO,
      });
      expect(await get(attemptId).expect(200)).toHaveProperty('body', res.body);
      const stored = await attemptRow(attemptId);
      expect(stored).toMatchObject({
        auto_score: '40.00',
        manual_score: '2.50',
        final_score: '45.00',
        scoring_status: 'fully_reviewed',
        passed: false,
        reviewed_by: a.admin.id,
      });
      const [answer] = (await answerRows(attemptId)).filter((r) => r.id === essayAnswer);
      expect(answer).toMatchObject({ manual_score: '2.50', manual_score_status: 'partial', reviewer_id: a.admin.id });
      const events = await t.db.query(
        `SELECT * FROM attempt_events WHERE attempt_id = $1 AND type = 'answer_reviewed'`,
        [attemptId],
      );
      expect(events).toEqual([
        expect.objectContaining({
          invitation_id: invitationId,
          actor_user_id: a.admin.id,
          data: expect.objectContaining({ answer_id: essayAnswer, score: 2.5, previous_score: null }),
        }),
      ]);
      const [audit] = await auditRows(t.db, attemptId, 'result.review');
      expect(audit).toMatchObject({ user_id: a.admin.id, tenant_id: a.tenant.id, resource_type: 'test_attempt' });

      // full points: correct, and the pass mark is reached ((2 + 0 + 5) / 10 = 70 %)
      const again = await score(attemptId, essayAnswer, { score: 5 }).expect(200);
      expect(again.body).toMatchObject({ final_score: 70, passed: true });
      expect(again.body.answers[essay]).toMatchObject({ manual_score_status: 'correct', review_comments: null });
      const zero = await score(attemptId, essayAnswer, { score: 0 }).expect(200);
      expect(zero.body.answers[essay].manual_score_status).toBe('wrong');
      expect(zero.body).toMatchObject({ final_score: 20, passed: false });
    });

    it('400 outside 0..points or not a number; 400 for an auto-scored answer; row unchanged', async () => {
      const { attemptId, answerIds } = await submitMixed();
      const essayAnswer = answerIds[mixed.questions[essay].id];
      const before = { attempt: await attemptRow(attemptId), answers: await answerRows(attemptId) };
      const over = await score(attemptId, essayAnswer, { score: 5.01 }).expect(400);
      expect(over.body.code).toBe('REVIEW_SCORE_OUT_OF_RANGE');
      for (const body of [{ score: -1 }, { score: '3' }, {}, { score: 1.234 }, { score: 1, extra: true }]) {
        expect((await score(attemptId, essayAnswer, body).expect(400)).body.code).toBe('VALIDATION_ERROR');
      }
      const mcqAnswer = answerIds[mixed.questions[mcq].id];
      expect((await score(attemptId, mcqAnswer, { score: 1 }).expect(400)).body.code).toBe('ANSWER_NOT_REVIEWABLE');
      expect({ attempt: await attemptRow(attemptId), answers: await answerRows(attemptId) }).toEqual(before);
    });

    it('404 for a foreign tenant, an unknown answer or an answer of another attempt; rows unchanged', async () => {
      const first = await submitMixed();
      const second = await submitMixed();
      const essayOf = (x: typeof first) => x.answerIds[mixed.questions[essay].id];
      const before = await answerRows(first.attemptId);
      await score(first.attemptId, essayOf(first), { score: 1 }, b.adminTokens).expect(404);
      expect((await score(first.attemptId, UNKNOWN_ID, { score: 1 }).expect(404)).body.code).toBe('ANSWER_NOT_FOUND');
      await score(first.attemptId, essayOf(second), { score: 1 }).expect(404);
      await score(UNKNOWN_ID, essayOf(first), { score: 1 }).expect(404);
      expect(await answerRows(first.attemptId)).toEqual(before);
    });

    it('409 while the attempt is in progress', async () => {
      const running = await submitMixed({ status: 'in_progress' });
      const res = await score(running.attemptId, running.answerIds[mixed.questions[essay].id], { score: 1 }).expect(
        409,
      );
      expect(res.body.code).toBe('ATTEMPT_NOT_SUBMITTED');
    });

    it('an unanswered essay is reviewed by its question id (an answer row with a null answer holds the review)', async () => {
      const { attemptId } = await createSubmittedAttempt(t, mixed, { answers: { [mixed.questions[mcq].id]: '4' } });
      const res = await score(attemptId, mixed.questions[essay].id, { score: 0, comment: 'Not attempted' }).expect(200);
      // (2 + 0 + 0) / 10
      expect(res.body).toMatchObject({ final_score: 20, scoring_status: 'fully_reviewed' });
      expect(res.body.answers[essay]).toMatchObject({ id: UUID, answer: null, manual_score: 0 });
    });

    it("the second seed's scoring routes: detail and {score_status, manual_score, comments}", async () => {
      const { attemptId, answerIds } = await submitMixed();
      const essayAnswer = answerIds[mixed.questions[essay].id];
      const detail = await t.http().get(`/api/admin/scoring/${attemptId}`).set(bearer(a.adminTokens)).expect(200);
      expect(detail.body.submission).toEqual({
        id: attemptId,
        applicant_email: expect.any(String),
        applicant_name: 'Fixture Candidate',
        test_title: 'Mixed',
        test_description: '',
        submitted_at: ISO,
        auto_score: 40,
        manual_score: null,
        final_score: null,
        scoring_status: 'needs_review',
        passed: null,
      });
      expect(detail.body.answers).toHaveLength(3);
      const res = await t
        .http()
        .post(`/api/admin/scoring/${attemptId}/answer/${essayAnswer}`)
        .set(bearer(a.adminTokens))
        .send({ score_status: 'correct', manual_score: 5, comments: 'Great' })
        .expect(200);
      expect(res.body).toMatchObject({
        message: 'Answer scored successfully',
        submission: { final_score: 70, scoring_status: 'fully_reviewed', passed: true },
      });
      await t
        .http()
        .post(`/api/admin/scoring/${attemptId}/answer/${essayAnswer}`)
        .set(bearer(a.adminTokens))
        .send({ score_status: 'correct', manual_score: 6 })
        .expect(400);
      await t.http().get(`/api/admin/scoring/${attemptId}`).set(bearer(b.adminTokens)).expect(404);
    });

    it('parallel reviews of two answers of one attempt both count', async () => {
      const test = await createTestWithQuestions(t, {
        tenantId: a.tenant.id,
        questions: [
          { type: 'essay', question: 'One', points: 5 },
          { type: 'coding', question: 'Two', points: 5 },
        ],
      });
      const { attemptId, answerIds } = await createSubmittedAttempt(t, test, {
        answers: { [test.questions[0].id]: 'a', [test.questions[1].id]: 'b' },
      });
      await Promise.all([
        score(attemptId, answerIds[test.questions[0].id], { score: 5 }).expect(200),
        score(attemptId, answerIds[test.questions[1].id], { score: 3 }).expect(200),
      ]);
      expect(await attemptRow(attemptId)).toMatchObject({
        manual_score: '8.00',
        final_score: '80.00',
        scoring_status: 'fully_reviewed',
      });
    });
  });

  describe('CSV export', () => {
    it('streams every matching result with a header, injection-safe cells, as an attachment', async () => {
      const { a: own } = await setupTwoTenants(t);
      const test = await createTestWithQuestions(t, { tenantId: own.tenant.id, title: '=HYPERLINK("x")' });
      const evil = await createSubmittedAttempt(t, test, { name: '@SUM(1,2)', email: '-x@example.com' });
      const plain = await createSubmittedAttempt(t, test, { name: 'Ada, "the" first' });
      const res = await t
        .http()
        .get('/api/results/export.csv')
        .set(bearer(own.adminTokens))
        .buffer(true)
        .parse((response, done) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          response.on('end', () => done(null, text));
        })
        .expect(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(res.headers['content-disposition']).toBe('attachment; filename="results.csv"');
      const lines = (res.body as string).split('\r\n');
      expect(lines[0]).toBe(
        'submission_id,test_id,test_version,test_title,applicant_name,applicant_email,status,started_at,' +
          'submitted_at,auto_score,manual_score,final_score,scoring_status,pass_mark_percent,passed,is_monitored',
      );
      expect(lines).toHaveLength(4);
      expect(lines[lines.length - 1]).toBe('');
      const byId = new Map(lines.slice(1, 3).map((line) => [line.slice(0, 36), line]));
      expect(byId.get(evil.attemptId)).toContain(`,"'=HYPERLINK(""x"")","'@SUM(1,2)",'-x@example.com,submitted,`);
      expect(byId.get(plain.attemptId)).toContain(`,"Ada, ""the"" first",`);
      // another tenant's export does not contain them
      const foreign = await t.http().get('/api/results/export.csv').set(bearer(b.adminTokens)).buffer(true).expect(200);
      expect(foreign.text).not.toContain(evil.attemptId);
    });

    it('exports more rows than one batch, in order, once each; filters apply', async () => {
      const { a: own } = await setupTwoTenants(t);
      const test = await createTestWithQuestions(t, {
        tenantId: own.tenant.id,
        questions: MIXED_QUESTIONS.slice(0, 1),
      });
      const other = await createTestWithQuestions(t, {
        tenantId: own.tenant.id,
        questions: MIXED_QUESTIONS.slice(0, 1),
      });
      await createSubmittedAttempt(t, other);
      // 1,234 attempts in one statement (the fixture makes one at a time)
      await t.db.query(
        `WITH inv AS (
           INSERT INTO invitations (tenant_id, test_id, applicant_email, applicant_name, token_hash, expires_at, status)
           SELECT $1::uuid, $2::uuid, 'bulk' || n || '@example.com', 'Bulk ' || n, sha256(('bulk' || n || $2::text)::bytea),
                  now() + interval '1 day', 'completed'
             FROM generate_series(1, 1234) n
           RETURNING id, applicant_email)
         INSERT INTO test_attempts (tenant_id, invitation_id, test_id, test_version_id, applicant_email, status,
                                    started_at, deadline, submitted_at, auto_score, final_score, scoring_status)
         SELECT $1::uuid, inv.id, $2::uuid, $3::uuid, inv.applicant_email, 'submitted', now() - interval '1 hour', now(),
                -- a few share a timestamp, to page across ties
                timestamp '2026-03-01' + (row_number() OVER () / 3) * interval '1 second', 100, 100, 'auto_only'
           FROM inv`,
        [own.tenant.id, test.testId, test.versionId],
      );
      const res = await t
        .http()
        .get('/api/results/export.csv')
        .query({ test_id: test.testId })
        .set(bearer(own.adminTokens))
        .buffer(true)
        .expect(200);
      const rows = res.text.split('\r\n').slice(1, -1);
      expect(rows).toHaveLength(1234);
      expect(new Set(rows.map((r) => r.slice(0, 36))).size).toBe(1234);
      const [{ ids }] = await t.db.query(
        `SELECT array_agg(id::text ORDER BY submitted_at DESC, id DESC) AS ids FROM test_attempts WHERE test_id = $1`,
        [test.testId],
      );
      expect(rows.map((r) => r.slice(0, 36))).toEqual(ids);
      await t.http().get('/api/results/export.csv').query({ start_date: 'x' }).set(bearer(own.adminTokens)).expect(400);
    });
  });

  describe('my-submissions', () => {
    it("a candidate's own attempts (its tenant, its e-mail in any case); scores, never answer keys", async () => {
      const candidate = await createUser(t.db, { role: 'candidate', tenantId: a.tenant.id });
      const tokens = await loginAs(t, candidate);
      const mine = await submitMixed({ email: candidate.email.toUpperCase() });
      await submitMixed({ email: candidate.email, status: 'in_progress' }); // not a result yet
      await submitMixed();
      // same e-mail, another tenant
      const foreignTest = await createTestWithQuestions(t, { tenantId: b.tenant.id });
      await createSubmittedAttempt(t, foreignTest, { email: candidate.email });

      const res = await t.http().get('/api/my-submissions').set(bearer(tokens)).expect(200);
      expect(res.headers['x-total-count']).toBe('1');
      expect(res.body).toEqual([
        {
          submission_id: mine.attemptId,
          id: mine.attemptId,
          invite_id: mine.invitationId,
          invite_status: 'completed',
          test_id: mixed.testId,
          test_title: 'Mixed',
          test_description: '',
          test_duration_minutes: 30,
          applicant_email: candidate.email.toUpperCase(),
          status: 'submitted',
          started_at: ISO,
          submitted_at: ISO,
          score: null,
          auto_score: 40,
          manual_score: null,
          final_score: null,
          scoring_status: 'needs_review',
          passed: null,
        },
      ]);
      const keys = keysOf(res.body);
      for (const secret of ['correct_answer', 'correct_answers', 'answers', 'token_hash']) {
        expect(keys.has(secret)).toBe(false);
      }
      const others = await t.http().get('/api/my-submissions').set(bearer(a.candidateTokens)).expect(200);
      expect(others.body.map((r: { id: string }) => r.id)).not.toContain(mine.attemptId);
    });
  });
});
