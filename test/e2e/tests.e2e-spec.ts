import { bearer, Tokens } from '../setup/factories';
import { auditRows, setupTwoTenants, Staff } from '../setup/fixtures';
import { ISO, UUID } from '../setup/matchers';
import { createTestApp, TestApp } from '../setup/test-app';
import { createInvitationRow, createSubmittedAttempt, createTestWithQuestions } from '../setup/timed-tests-fixtures';

const BASE = '/api/tests';
const UNKNOWN_ID = '6a1e0f52-4444-4444-8444-444444444444';

const QUESTIONS = [
  { type: 'multiple_choice', question: '2 + 2?', options: ['3', '4', '5'], correct_answer: '4', points: 2 },
  { type: 'multi_select', question: 'Primes?', options: ['2', '3', '4'], correct_answers: ['2', '3'], points: 3 },
  { type: 'essay', question: 'Tell us about a bug.', points: 5 },
  {
    type: 'coding',
    question: 'Print 1',
    expected_language: 'python',
    correct_answer: 'print(1)',
    points: 4,
  },
];

const body = (overrides: Record<string, unknown> = {}) => ({
  title: 'JavaScript basics',
  description: 'Warm-up',
  duration_minutes: 30,
  pass_mark_percent: 60,
  questions: QUESTIONS,
  ...overrides,
});

describe('Tests API (/api/tests)', () => {
  let t: TestApp;
  let a: Staff;
  let b: Staff;
  let superTokens: Tokens;

  const create = async (tokens: Tokens, overrides: Record<string, unknown> = {}) =>
    (await t.http().post(BASE).set(bearer(tokens)).send(body(overrides)).expect(201)).body;
  const testRow = async (id: string) => (await t.db.query(`SELECT * FROM tests WHERE id = $1`, [id]))[0];
  const versions = (id: string) =>
    t.db.query(`SELECT * FROM test_versions WHERE test_id = $1 ORDER BY version`, [id]) as Promise<
      Array<Record<string, unknown> & { id: string; version: number }>
    >;
  const questionsOf = (versionId: string) =>
    t.db.query(`SELECT * FROM questions WHERE test_version_id = $1 ORDER BY position`, [versionId]) as Promise<
      Array<Record<string, unknown> & { id: string }>
    >;
  /** Everything stored about a test: its row, versions and questions. */
  const snapshot = async (id: string) => {
    const vs = await versions(id);
    return { test: await testRow(id), versions: vs, questions: await Promise.all(vs.map((v) => questionsOf(v.id))) };
  };

  beforeAll(async () => {
    t = await createTestApp();
    ({ a, b, superTokens } = await setupTwoTenants(t));
  });
  afterAll(() => t.close());

  it('401 without a token on every route', async () => {
    const routes: Array<['get' | 'post' | 'put' | 'delete', string]> = [
      ['get', BASE],
      ['post', BASE],
      ['get', `${BASE}/${UNKNOWN_ID}`],
      ['put', `${BASE}/${UNKNOWN_ID}`],
      ['delete', `${BASE}/${UNKNOWN_ID}`],
    ];
    for (const [method, url] of routes) {
      const res = await t.http()[method](url).send({}).expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
  });

  it('403 for proctors and candidates on every route, nothing written', async () => {
    const test = await create(a.adminTokens);
    const before = await snapshot(test.id);
    for (const tokens of [a.proctorTokens, a.candidateTokens]) {
      const calls = [
        t.http().get(BASE).set(bearer(tokens)),
        t.http().post(BASE).set(bearer(tokens)).send(body()),
        t.http().get(`${BASE}/${test.id}`).set(bearer(tokens)),
        t
          .http()
          .put(`${BASE}/${test.id}`)
          .set(bearer(tokens))
          .send(body({ title: 'Hijacked' })),
        t.http().delete(`${BASE}/${test.id}`).set(bearer(tokens)),
      ];
      for (const call of calls) {
        const res = await call;
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('INSUFFICIENT_ROLE');
      }
    }
    expect(await snapshot(test.id)).toEqual(before);
  });

  describe('create', () => {
    it('201: the test, version 1 and its questions in order, with answer keys; client ids ignored; audited', async () => {
      const clientId = UNKNOWN_ID;
      const res = await t
        .http()
        .post(BASE)
        .set(bearer(a.adminTokens))
        .send(body({ questions: [{ ...QUESTIONS[0], id: clientId }, ...QUESTIONS.slice(1)] }))
        .expect(201);
      expect(res.body).toEqual({
        id: UUID,
        tenant_id: a.tenant.id,
        title: 'JavaScript basics',
        description: 'Warm-up',
        duration_minutes: 30,
        pass_mark_percent: 60,
        version: 1,
        created_by: a.admin.id,
        created_at: ISO,
        updated_at: ISO,
        is_active: true,
        question_count: 4,
        total_points: 14,
        questions: [
          {
            id: UUID,
            type: 'multiple_choice',
            question: '2 + 2?',
            options: ['3', '4', '5'],
            correct_answer: '4',
            correct_answers: null,
            expected_language: null,
            points: 2,
          },
          {
            id: UUID,
            type: 'multi_select',
            question: 'Primes?',
            options: ['2', '3', '4'],
            correct_answer: null,
            correct_answers: ['2', '3'],
            expected_language: null,
            points: 3,
          },
          {
            id: UUID,
            type: 'essay',
            question: 'Tell us about a bug.',
            options: null,
            correct_answer: null,
            correct_answers: null,
            expected_language: null,
            points: 5,
          },
          {
            id: UUID,
            type: 'coding',
            question: 'Print 1',
            options: null,
            correct_answer: 'print(1)',
            correct_answers: null,
            expected_language: 'python',
            points: 4,
          },
        ],
      });
      expect(res.body.questions[0].id).not.toBe(clientId);
      const stored = await snapshot(res.body.id);
      expect(stored.test).toMatchObject({
        tenant_id: a.tenant.id,
        version: 1,
        current_version_id: stored.versions[0].id,
        pass_mark_percent: '60.00',
        is_active: true,
        deleted_at: null,
      });
      expect(stored.versions).toHaveLength(1);
      expect(stored.questions[0].map((q) => q.id)).toEqual(res.body.questions.map((q: { id: string }) => q.id));
      const [audit] = await auditRows(t.db, res.body.id, 'test.create');
      expect(audit).toMatchObject({ user_id: a.admin.id, tenant_id: a.tenant.id, resource_type: 'test' });
      expect(audit.new_values).toMatchObject({ title: 'JavaScript basics', version: 1, question_count: 4 });
    });

    it('minimal body: no description or pass mark, points default to 1', async () => {
      const test = await create(a.adminTokens, {
        description: undefined,
        pass_mark_percent: undefined,
        questions: [{ type: 'essay', question: 'Why?' }],
      });
      expect(test).toMatchObject({ description: '', pass_mark_percent: null, total_points: 1 });
    });

    it.each([
      ['no title', { title: '' }, 'title'],
      ['duration 0', { duration_minutes: 0 }, 'duration_minutes'],
      ['duration over a day', { duration_minutes: 1441 }, 'duration_minutes'],
      ['pass mark over 100', { pass_mark_percent: 100.5 }, 'pass_mark_percent'],
      ['no questions', { questions: [] }, 'questions'],
      ['unknown field', { owner: 'me' }, 'owner'],
      ['unknown question type', { questions: [{ type: 'riddle', question: 'Q' }] }, 'questions.0.type'],
      ['negative points', { questions: [{ type: 'essay', question: 'Q', points: -1 }] }, 'questions.0.points'],
      ['unknown question field', { questions: [{ type: 'essay', question: 'Q', hint: 'x' }] }, 'questions.0.hint'],
      [
        'MCQ with one option',
        { questions: [{ type: 'multiple_choice', question: 'Q', options: ['a'], correct_answer: 'a' }] },
        'questions.0.options',
      ],
      [
        'MCQ with duplicate options',
        { questions: [{ type: 'multiple_choice', question: 'Q', options: ['a', ' a'], correct_answer: 'a' }] },
        'questions.0.options',
      ],
      [
        'MCQ key not an option',
        { questions: [{ type: 'multiple_choice', question: 'Q', options: ['a', 'b'], correct_answer: 'c' }] },
        'questions.0.correct_answer',
      ],
      [
        'multi-select without keys',
        { questions: [{ type: 'multi_select', question: 'Q', options: ['a', 'b'], correct_answers: [] }] },
        'questions.0.correct_answers',
      ],
      [
        'multi-select key outside the options',
        { questions: [{ type: 'multi_select', question: 'Q', options: ['a', 'b'], correct_answers: ['a', 'z'] }] },
        'questions.0.correct_answers',
      ],
    ])('400 on %s, nothing stored', async (_name, overrides, field) => {
      const before = (await t.db.query(`SELECT count(*)::int AS n FROM tests`))[0].n;
      const res = await t.http().post(BASE).set(bearer(a.adminTokens)).send(body(overrides)).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect((await t.db.query(`SELECT count(*)::int AS n FROM tests`))[0].n).toBe(before);
    });

    it('an admin naming another tenant is 403; a superadmin creates in the tenant it names', async () => {
      await t
        .http()
        .post(BASE)
        .set(bearer(a.adminTokens))
        .send({ ...body(), tenant_id: b.tenant.id })
        .expect(403);
      const res = await t
        .http()
        .post(BASE)
        .set(bearer(superTokens))
        .send({ ...body(), tenant_id: b.tenant.id })
        .expect(201);
      expect(res.body.tenant_id).toBe(b.tenant.id);
      await t.http().get(`${BASE}/${res.body.id}`).set(bearer(b.adminTokens)).expect(200);
      await t
        .http()
        .post(BASE)
        .set(bearer(superTokens))
        .send({ ...body(), tenant_id: UNKNOWN_ID })
        .expect(404);
    });
  });

  describe('list and get', () => {
    it('lists the own tenant only, newest first, with skip/limit and X-Total-Count; deleted ones on request', async () => {
      const own = await createTenantTests();
      const res = await t.http().get(BASE).set(bearer(own.tokens)).expect(200);
      expect(res.headers['x-total-count']).toBe('2');
      expect(res.body.map((x: { id: string }) => x.id)).toEqual([own.second.id, own.first.id]);
      // the list renders each test exactly as GET does
      expect(res.body).toEqual([own.second, own.first]);
      const paged = await t.http().get(BASE).query({ skip: 1, limit: 1 }).set(bearer(own.tokens)).expect(200);
      expect(paged.headers['x-total-count']).toBe('2');
      expect(paged.body.map((x: { id: string }) => x.id)).toEqual([own.first.id]);
      await t.http().delete(`${BASE}/${own.first.id}`).set(bearer(own.tokens)).expect(200);
      const active = await t.http().get(BASE).set(bearer(own.tokens)).expect(200);
      expect(active.body.map((x: { id: string }) => x.id)).toEqual([own.second.id]);
      const all = await t.http().get(BASE).query({ include_inactive: true }).set(bearer(own.tokens)).expect(200);
      expect(all.body.map((x: { is_active: boolean }) => x.is_active)).toEqual([true, false]);
      await t.http().get(BASE).query({ limit: 0 }).set(bearer(own.tokens)).expect(400);
    });

    it("a foreign tenant's test is 404 (and never listed); a superadmin sees it", async () => {
      const test = await create(a.adminTokens);
      const res = await t.http().get(`${BASE}/${test.id}`).set(bearer(b.adminTokens)).expect(404);
      expect(res.body).toMatchObject({ code: 'TEST_NOT_FOUND', detail: 'Test not found' });
      const list = await t.http().get(BASE).query({ limit: 500 }).set(bearer(b.adminTokens)).expect(200);
      expect(list.body.map((x: { id: string }) => x.id)).not.toContain(test.id);
      const seen = await t.http().get(`${BASE}/${test.id}`).set(bearer(superTokens)).expect(200);
      expect(seen.body).toEqual(test);
    });

    it('400 on a malformed id, 404 on an unknown one', async () => {
      const bad = await t.http().get(`${BASE}/not-a-uuid`).set(bearer(a.adminTokens)).expect(400);
      expect(bad.body.code).toBe('INVALID_ID');
      await t.http().get(`${BASE}/${UNKNOWN_ID}`).set(bearer(a.adminTokens)).expect(404);
    });
  });

  describe('update', () => {
    it('no attempt yet: rewrites the current version in place (same version, questions replaced); audited', async () => {
      const test = await create(a.adminTokens);
      const [v1] = await versions(test.id);
      const res = await t
        .http()
        .put(`${BASE}/${test.id}`)
        .set(bearer(a.adminTokens))
        .send(body({ title: 'Renamed', duration_minutes: 45, questions: [QUESTIONS[2]] }))
        .expect(200);
      expect(res.body).toMatchObject({ id: test.id, title: 'Renamed', duration_minutes: 45, version: 1 });
      expect(res.body.questions).toHaveLength(1);
      const stored = await snapshot(test.id);
      expect(stored.versions).toHaveLength(1);
      expect(stored.versions[0]).toMatchObject({ id: v1.id, title: 'Renamed', duration_minutes: 45 });
      expect(stored.questions[0].map((q) => q.id)).toEqual([res.body.questions[0].id]);
      const [audit] = await auditRows(t.db, test.id, 'test.update');
      expect(audit.old_values).toMatchObject({ title: 'JavaScript basics', version: 1 });
      expect(audit.new_values).toMatchObject({ title: 'Renamed', version: 1, new_version: false });
    });

    it('after an attempt: version + 1 becomes current; the old version and its questions stay as they were', async () => {
      const test = await create(a.adminTokens);
      const [v1] = await versions(test.id);
      const oldQuestions = await questionsOf(v1.id);
      await createSubmittedAttempt(
        t,
        {
          testId: test.id,
          versionId: v1.id,
          tenantId: a.tenant.id,
          questions: oldQuestions.map((q) => ({
            id: q.id,
            position: q.position as number,
            type: q.type as 'essay',
            question: q.question as string,
            options: q.options as string[] | null,
            correct_answer: q.correct_answer as string | null,
            correct_answers: q.correct_answers as string[] | null,
            points: q.points as number,
          })),
        },
        { answers: { [oldQuestions[0].id]: '4' } },
      );
      const res = await t
        .http()
        .put(`${BASE}/${test.id}`)
        .set(bearer(a.adminTokens))
        .send(body({ title: 'Second edition', pass_mark_percent: null, questions: QUESTIONS.slice(0, 2) }))
        .expect(200);
      expect(res.body).toMatchObject({ version: 2, title: 'Second edition', pass_mark_percent: null });
      const stored = await snapshot(test.id);
      expect(stored.versions.map((v) => v.version)).toEqual([1, 2]);
      expect(stored.test.current_version_id).toBe(stored.versions[1].id);
      expect(stored.versions[0]).toEqual(v1);
      expect(stored.questions[0]).toEqual(oldQuestions);
      expect(stored.questions[1].map((q) => q.id)).toEqual(res.body.questions.map((q: { id: string }) => q.id));
      const [audit] = await auditRows(t.db, test.id, 'test.update');
      expect(audit.new_values).toMatchObject({ version: 2, new_version: true });
    });

    it('an identical body changes nothing (no new version, no audit)', async () => {
      const test = await create(a.adminTokens);
      const before = await snapshot(test.id);
      const res = await t.http().put(`${BASE}/${test.id}`).set(bearer(a.adminTokens)).send(body()).expect(200);
      expect(res.body).toEqual(test);
      expect(await snapshot(test.id)).toEqual(before);
      expect(await auditRows(t.db, test.id, 'test.update')).toEqual([]);
    });

    it('parallel edits after an attempt make consecutive versions, never two of the same number', async () => {
      const fixture = await createTestWithQuestions(t, { tenantId: a.tenant.id });
      await createSubmittedAttempt(t, fixture);
      const results = await Promise.all(
        [1, 2, 3].map((n) =>
          t
            .http()
            .put(`${BASE}/${fixture.testId}`)
            .set(bearer(a.adminTokens))
            .send(body({ title: `Edit ${n}` })),
        ),
      );
      expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
      // the first edit makes version 2; the later ones rewrite it in place (no attempt has used it)
      expect((await versions(fixture.testId)).map((v) => v.version)).toEqual([1, 2]);
    });

    it('400 on an invalid body, 404 for a foreign tenant (row unchanged), 409 on a deleted test', async () => {
      const test = await create(a.adminTokens);
      const before = await snapshot(test.id);
      await t
        .http()
        .put(`${BASE}/${test.id}`)
        .set(bearer(a.adminTokens))
        .send(body({ questions: [{ type: 'multiple_choice', question: 'Q', options: ['a', 'b'] }] }))
        .expect(400);
      await t
        .http()
        .put(`${BASE}/${test.id}`)
        .set(bearer(b.adminTokens))
        .send(body({ title: 'Foreign' }))
        .expect(404);
      expect(await snapshot(test.id)).toEqual(before);
      await t.http().delete(`${BASE}/${test.id}`).set(bearer(a.adminTokens)).expect(200);
      const res = await t.http().put(`${BASE}/${test.id}`).set(bearer(a.adminTokens)).send(body()).expect(409);
      expect(res.body.code).toBe('TEST_DELETED');
    });
  });

  describe('delete', () => {
    it('soft-deletes (200, is_active false, deleted_at set), audited; a second delete changes nothing', async () => {
      const test = await create(a.adminTokens);
      const res = await t.http().delete(`${BASE}/${test.id}`).set(bearer(a.adminTokens)).expect(200);
      expect(res.body).toMatchObject({ id: test.id, is_active: false });
      const row = await testRow(test.id);
      expect(row).toMatchObject({ is_active: false, deleted_at: expect.any(Date) });
      expect(await auditRows(t.db, test.id, 'test.delete')).toHaveLength(1);
      await t.http().delete(`${BASE}/${test.id}`).set(bearer(a.adminTokens)).expect(200);
      expect(await auditRows(t.db, test.id, 'test.delete')).toHaveLength(1);
      // still readable (results name it)
      await t.http().get(`${BASE}/${test.id}`).set(bearer(a.adminTokens)).expect(200);
    });

    it.each(['sent', 'scheduled', 'in_progress'] as const)(
      '409 while an invitation is %s, row unchanged; allowed once it is closed',
      async (status) => {
        const test = await create(a.adminTokens);
        const invitation = await createInvitationRow(t, { tenantId: a.tenant.id, testId: test.id, status });
        const before = await testRow(test.id);
        const res = await t.http().delete(`${BASE}/${test.id}`).set(bearer(a.adminTokens)).expect(409);
        expect(res.body.code).toBe('TEST_HAS_OPEN_INVITATIONS');
        expect(await testRow(test.id)).toEqual(before);
        await t.db.query(`UPDATE invitations SET status = 'cancelled', cancelled_at = now() WHERE id = $1`, [
          invitation.id,
        ]);
        await t.http().delete(`${BASE}/${test.id}`).set(bearer(a.adminTokens)).expect(200);
      },
    );

    it('404 for a foreign tenant, row unchanged', async () => {
      const test = await create(a.adminTokens);
      const before = await testRow(test.id);
      await t.http().delete(`${BASE}/${test.id}`).set(bearer(b.adminTokens)).expect(404);
      expect(await testRow(test.id)).toEqual(before);
    });
  });

  /** A fresh tenant with two tests (first, then second). */
  async function createTenantTests() {
    const { a: own } = await setupTwoTenants(t);
    const first = await create(own.adminTokens, { title: 'First' });
    const second = await create(own.adminTokens, { title: 'Second' });
    return { tokens: own.adminTokens, first, second };
  }
});
