import { SubmissionsService } from '../../src/modules/submissions/submissions.service';
import { StoredFileRef } from '../../src/modules/submissions/stored-files-remover';
import {
  bearer,
  createTenant,
  createTenantWithStaff,
  createUser,
  loginAs,
  TenantRow,
  Tokens,
} from '../setup/factories';
import {
  ago,
  auditRows,
  dbRow,
  setupTwoTenants,
  Staff,
  storeConfiguration,
  storeMediaFile,
  storeSubmission,
} from '../setup/fixtures';
import { createTestApp, TestApp } from '../setup/test-app';
import { ISO, UUID } from '../setup/matchers';

type Method = 'get' | 'post' | 'put' | 'delete';

const UNKNOWN_ID = '6a1e0f52-3333-4333-8333-333333333333';
const BASE = '/api/v1/submissions';

const SJT_HISTORY = [
  {
    question: 'Situation: A customer is angry about a late delivery.\n\nQuestion: What do you do?',
    answer: 'I listen, apologise and offer a concrete fix.',
    situation: 'A customer is angry about a late delivery.',
    bestResponseRationale: 'Ownership and empathy',
    worstResponseRationale: 'Blaming logistics',
    assessedCompetency: 'Customer Focus, Ownership',
    languageCode: 'en',
  },
  {
    question: '1.a) And if the customer refuses the fix?',
    answer: 'I escalate to my manager with a proposal.',
    situation: 'A customer is angry about a late delivery.',
    followUpGenerated: true,
  },
];
const JDT_HISTORY = [
  {
    question: 'Tell me about a time you solved a hard bug',
    answer: 'I bisected…',
    preferredAnswer: 'STAR',
    competency: 'Problem Solving',
  },
];

/** The first seed's SJT report shape, with the values its analysis route writes. */
const SJT_REPORT = {
  scoresSummary: {
    overallPerformance: 'Good',
    competencyScores: [{ name: 'Customer Focus', score: 6.3, prePenaltyScore: 7, postPenaltyScore: 6.3 }],
    penaltySummary: 'Follow-up penalties applied to 1 scenario(s) with 10% penalty reduction',
  },
  competencyQualitativeSummary: [
    {
      name: 'Customer Focus',
      score: 6.3,
      prePenaltyScore: 7,
      postPenaltyScore: 6.3,
      strengthSummary: 'Listens and takes ownership.',
      weaknessSummary: 'Could propose alternatives earlier.',
    },
  ],
  questionwiseDetails: [
    {
      questionNumber: 1,
      question: 'Situation: A customer is angry…',
      candidateAnswer: 'I listen, apologise and offer a concrete fix.',
      competency: 'Customer Focus',
      prePenaltyScore: 7,
      postPenaltyScore: 6.3,
      penaltyApplied: true,
      hasFollowUp: true,
      rationale: 'Shows empathy; \u00e9l\u00e8ve \u{1F600} "quoted" \\ back\nslash',
      followUpQuestions: ['1.a) And if the customer refuses the fix?'],
      followUpAnswers: ['I escalate to my manager with a proposal.'],
    },
  ],
  strengths: 'Analysis completed. Please refer to Competency Analysis Summary…',
  weaknesses: 'Analysis completed. Please refer to Competency Analysis Summary…',
  summary: 'COMPREHENSIVE ASSESSMENT SUMMARY: …',
  competencyAnalysis: [
    {
      name: 'Situational Competencies',
      competencies: [{ name: 'Customer Focus', score: 6.3, prePenaltyScore: 7, postPenaltyScore: 6.3 }],
    },
  ],
  extra: { nested: [1, 2.5, -0.125, 1726480000000.123, null, true, false, '', {}], empty: [] },
};

/** The first seed's JDT report shape. */
const JDT_REPORT = {
  strengths: 'Clear structure.\n\nGood examples.',
  weaknesses: 'Little depth on testing.',
  summary: 'A solid candidate.',
  competencyAnalysis: [
    {
      name: 'Job-Specific Competencies',
      competencies: [
        { name: 'Communication', score: 8 },
        { name: 'Problem Solving', score: 7 },
      ],
    },
  ],
};

describe('Submissions API', () => {
  let t: TestApp;
  let a: Staff;
  let b: Staff;
  let superTokens: Tokens;
  let superadminId: string;
  let seq = 0;

  const body = (overrides: Record<string, unknown> = {}) => ({
    candidate_name: `Candidate ${++seq}`,
    candidate_id: `C-${seq}`,
    test_type: 'SJT',
    conversation_history: SJT_HISTORY,
    ...overrides,
  });
  const submit = async (tokens: Tokens, overrides: Record<string, unknown> = {}) =>
    (await t.http().post(BASE).set(bearer(tokens)).send(body(overrides)).expect(201)).body;
  const newCandidate = async (tenantId: string) => {
    const user = await createUser(t.db, { role: 'candidate', tenantId });
    return { user, tokens: await loginAs(t, user) };
  };
  const countFor = async (userId: string) =>
    (await t.db.query(`SELECT count(*)::int AS n FROM submissions WHERE user_id = $1`, [userId]))[0].n as number;
  beforeAll(async () => {
    t = await createTestApp();
    // Generous limits: these tenants' candidates submit in many tests (the limit has tests of its own).
    ({ a, b, superTokens, superadminId } = await setupTwoTenants(t, { max_test_attempts: 100 }));
  });
  afterAll(() => t.close());

  describe('authentication and roles', () => {
    const routes = (id: string, userId: string): Array<[Method, string]> => [
      ['get', BASE],
      ['post', BASE],
      ['get', `${BASE}/${id}`],
      ['put', `${BASE}/${id}`],
      ['delete', `${BASE}/${id}`],
      ['get', `${BASE}/user/${userId}/attempts/SJT`],
      ['get', `${BASE}/user/${userId}/latest/SJT`],
    ];

    it('401 without a token on every route', async () => {
      const mine = await submit(a.adminTokens);
      for (const [method, path] of routes(mine.id, a.admin.id)) {
        const res = await t.http()[method](path).send({}).expect(401);
        expect(res.headers['www-authenticate']).toBe('Bearer');
        expect(res.body.code).toBe('NOT_AUTHENTICATED');
      }
    });

    it('403 for proctors on every route (interviews are not proctored); nothing changes', async () => {
      const mine = await submit(a.candidateTokens);
      const before = await dbRow(t.db, 'submissions', mine.id);
      for (const [method, path] of routes(mine.id, a.candidate.id)) {
        const payload = method === 'post' ? body() : method === 'put' ? { status: 'failed' } : {};
        const res = await t.http()[method](path).set(bearer(a.proctorTokens)).send(payload).expect(403);
        expect(res.body.code).toBe('INSUFFICIENT_ROLE');
      }
      expect(await dbRow(t.db, 'submissions', mine.id)).toEqual(before);
      expect(await countFor(a.proctor.id)).toBe(0);
    });

    it('403 for candidates on update and delete, even of their own submission; row unchanged', async () => {
      const { user, tokens } = await newCandidate(a.tenant.id);
      const mine = await submit(tokens);
      const before = await dbRow(t.db, 'submissions', mine.id);
      const put = await t
        .http()
        .put(`${BASE}/${mine.id}`)
        .set(bearer(tokens))
        .send({ analysis_result: { summary: 'x' } })
        .expect(403);
      expect(put.body.code).toBe('INSUFFICIENT_ROLE');
      await t.http().delete(`${BASE}/${mine.id}`).set(bearer(tokens)).expect(403);
      expect(await dbRow(t.db, 'submissions', mine.id)).toEqual(before);
      expect(await countFor(user.id)).toBe(1);
    });
  });

  describe('create', () => {
    it('201: owner and tenant from the token, defaults, attempt 1; stored and audited', async () => {
      const { user, tokens } = await newCandidate(a.tenant.id);
      const res = await t
        .http()
        .post(BASE)
        .set(bearer(tokens))
        .send({
          candidate_name: '  Jane Doe ',
          candidate_id: 'CAND-7',
          test_type: 'sjt',
          conversation_history: SJT_HISTORY,
        })
        .expect(201);
      expect(res.body).toEqual({
        id: UUID,
        user_id: user.id,
        tenant_id: a.tenant.id,
        candidate_name: 'Jane Doe',
        candidate_id: 'CAND-7',
        test_type: 'SJT',
        candidate_language: 'en',
        ui_language: 'en',
        conversation_history: SJT_HISTORY,
        analysis_result: null,
        status: 'submitted',
        analysis_completed: false,
        analysis_completed_at: null,
        configuration_id: null,
        configuration_version: null,
        attempt_number: 1,
        created_at: ISO,
        updated_at: ISO,
      });
      const stored = await dbRow(t.db, 'submissions', res.body.id);
      expect(stored).toMatchObject({
        user_id: user.id,
        tenant_id: a.tenant.id,
        test_type: 'SJT',
        conversation_history: SJT_HISTORY,
        status: 'submitted',
        attempt_number: 1,
      });
      expect(stored.created_at.toISOString()).toBe(res.body.created_at);

      const [audit] = await auditRows(t.db, res.body.id, 'submission.create');
      expect(audit).toMatchObject({
        user_id: user.id,
        tenant_id: a.tenant.id,
        resource_type: 'submission',
        old_values: null,
        request_id: res.headers['x-request-id'],
      });
      expect(audit.new_values).toMatchObject({
        id: res.body.id,
        test_type: 'SJT',
        attempt_number: 1,
        conversation_entries: 2,
      });
      // The audit trail holds metadata, not the interview itself.
      expect(JSON.stringify(audit.new_values)).not.toContain('apologise');
    });

    it('stores the languages, an empty conversation, and "" candidate_id as null', async () => {
      const res = await t
        .http()
        .post(BASE)
        .set(bearer(a.adminTokens))
        .send(
          body({
            candidate_id: '',
            candidate_language: 'hi',
            ui_language: 'pt-BR',
            test_type: 'JDT',
            conversation_history: [],
          }),
        )
        .expect(201);
      expect(res.body).toMatchObject({
        candidate_id: null,
        candidate_language: 'hi',
        ui_language: 'pt-BR',
        test_type: 'JDT',
        conversation_history: [],
      });
      const noId = await t
        .http()
        .post(BASE)
        .set(bearer(a.adminTokens))
        .send({ ...body(), candidate_id: undefined })
        .expect(201);
      expect(noId.body.candidate_id).toBeNull();
    });

    it('400 on invalid bodies (unknown fields such as user_id or tenant_id included); nothing inserted', async () => {
      const { user, tokens } = await newCandidate(a.tenant.id);
      let deep: unknown = { answer: 'leaf' };
      for (let i = 0; i < 80; i += 1) deep = { inner: deep };
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ user_id: b.candidate.id }, 'user_id'],
        [{ tenant_id: b.tenant.id }, 'tenant_id'],
        [{ status: 'completed' }, 'status'],
        [{ analysis_result: { summary: 'forged' } }, 'analysis_result'],
        [{ attempt_number: 1 }, 'attempt_number'],
        [{ test_type: 'ABC' }, 'test_type'],
        [{ test_type: undefined }, 'test_type'],
        [{ test_type: 1 }, 'test_type'],
        [{ conversation_history: 'not a list' }, 'conversation_history'],
        [{ conversation_history: { question: 'q' } }, 'conversation_history'],
        [{ conversation_history: undefined }, 'conversation_history'],
        [{ conversation_history: [1, 2] }, 'conversation_history'],
        [{ conversation_history: ['text'] }, 'conversation_history'],
        [{ conversation_history: [null] }, 'conversation_history'],
        [{ conversation_history: [[{ question: 'q' }]] }, 'conversation_history'],
        [{ conversation_history: Array.from({ length: 501 }, () => ({ q: 1 })) }, 'conversation_history'],
        [{ conversation_history: [{ answer: 'nul \u0000 byte' }] }, 'conversation_history[0].answer'],
        [{ conversation_history: [{ answer: 'lone \ud800 surrogate' }] }, 'conversation_history[0].answer'],
        [{ conversation_history: [deep] }, 'conversation_history'],
        [{ candidate_name: '   ' }, 'candidate_name'],
        [{ candidate_name: undefined }, 'candidate_name'],
        [{ candidate_name: 'x'.repeat(256) }, 'candidate_name'],
        [{ candidate_id: 'x'.repeat(101) }, 'candidate_id'],
        [{ candidate_id: 42 }, 'candidate_id'],
        [{ candidate_language: 'not a language' }, 'candidate_language'],
        [{ ui_language: 'abcdefghijk' }, 'ui_language'],
      ];
      for (const [overrides, field] of cases) {
        const res = await t.http().post(BASE).set(bearer(tokens)).send(body(overrides));
        expect({ field, status: res.status }).toEqual({ field, status: 400 });
        expect(res.body.code).toBe('VALIDATION_ERROR');
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      // Hostile nesting within the size limit is a 400 as well, never a 500.
      const nested = `{"candidate_name":"n","test_type":"SJT","conversation_history":[${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}]}`;
      const tooDeep = await t
        .http()
        .post(BASE)
        .set(bearer(tokens))
        .set('Content-Type', 'application/json')
        .send(nested);
      expect(tooDeep.status).toBe(400);
      expect(tooDeep.body.code).toBe('BODY_TOO_DEEP');
      const malformed = await t
        .http()
        .post(BASE)
        .set(bearer(tokens))
        .set('Content-Type', 'application/json')
        .send('{"candidate_name":')
        .expect(400);
      expect(malformed.body.code).toBe('MALFORMED_JSON');
      expect(await countFor(user.id)).toBe(0);
    });

    it('413 for a body whose text (recordings aside) is over the 1 MB limit; nothing inserted', async () => {
      const { user, tokens } = await newCandidate(a.tenant.id);
      const huge = body({ conversation_history: [{ question: 'q', answer: 'x'.repeat(1_100_000) }] });
      const res = await t.http().post(BASE).set(bearer(tokens)).send(huge).expect(413);
      expect(res.body).toMatchObject({
        status_code: 413,
        code: 'PAYLOAD_TOO_LARGE',
        detail: expect.stringMatching(/^Request body too large/),
      });
      expect(await countFor(user.id)).toBe(0);
    });

    it("enforces the tenant's allowed_test_types for everyone (409 TEST_TYPE_NOT_ALLOWED); nothing inserted", async () => {
      const c = await createTenantWithStaff(t, { allowed_test_types: ['SJT'] });
      for (const tokens of [c.candidateTokens, c.adminTokens]) {
        const res = await t
          .http()
          .post(BASE)
          .set(bearer(tokens))
          .send(body({ test_type: 'jdt' }))
          .expect(409);
        expect(res.body).toMatchObject({
          code: 'TEST_TYPE_NOT_ALLOWED',
          detail: 'Test type JDT is not enabled for this tenant',
        });
      }
      expect(await countFor(c.candidate.id)).toBe(0);
      expect(await countFor(c.admin.id)).toBe(0);
      await t
        .http()
        .post(BASE)
        .set(bearer(c.candidateTokens))
        .send(body({ test_type: 'SJT' }))
        .expect(201);
    });

    it('limits candidates to max_test_attempts per test type (409 MAX_ATTEMPTS_REACHED); staff are not limited', async () => {
      const c = await createTenantWithStaff(t, { max_test_attempts: 2 });
      const first = await submit(c.candidateTokens);
      const second = await submit(c.candidateTokens);
      expect([first.attempt_number, second.attempt_number]).toEqual([1, 2]);
      const refused = await t.http().post(BASE).set(bearer(c.candidateTokens)).send(body()).expect(409);
      expect(refused.body).toMatchObject({
        code: 'MAX_ATTEMPTS_REACHED',
        detail: 'Maximum number of SJT attempts reached (2)',
      });
      expect(await countFor(c.candidate.id)).toBe(2);
      // The other test type has its own count.
      expect(
        (await submit(c.candidateTokens, { test_type: 'JDT', conversation_history: JDT_HISTORY })).attempt_number,
      ).toBe(1);
      // Staff may submit as often as they like.
      for (let i = 1; i <= 4; i += 1) expect((await submit(c.adminTokens)).attempt_number).toBe(i);
      // Deleting an attempt gives it back; numbering never repeats.
      await t.http().delete(`${BASE}/${first.id}`).set(bearer(c.adminTokens)).expect(200);
      expect((await submit(c.candidateTokens)).attempt_number).toBe(3);
      await t.http().post(BASE).set(bearer(c.candidateTokens)).send(body()).expect(409);
    });

    it('never exceeds the limit under concurrency: 10 parallel creates with max 3 → exactly 3 rows', async () => {
      const c = await createTenant(t.db, { max_test_attempts: 3 });
      const { user, tokens } = await newCandidate(c.id);
      const results = await Promise.all(
        Array.from({ length: 10 }, () => t.http().post(BASE).set(bearer(tokens)).send(body())),
      );
      const statuses = results.map((res) => res.status).sort();
      expect(statuses).toEqual([201, 201, 201, 409, 409, 409, 409, 409, 409, 409]);
      expect(results.filter((res) => res.status === 409).every((res) => res.body.code === 'MAX_ATTEMPTS_REACHED')).toBe(
        true,
      );
      const rows = await t.db.query(
        `SELECT attempt_number FROM submissions WHERE user_id = $1 ORDER BY attempt_number`,
        [user.id],
      );
      expect(rows.map((r: { attempt_number: number }) => r.attempt_number)).toEqual([1, 2, 3]);
      const [{ n }] = await t.db.query(
        `SELECT count(*)::int AS n FROM audit_logs WHERE user_id = $1 AND action = 'submission.create'`,
        [user.id],
      );
      expect(n).toBe(3);
    });

    it("records the effective configuration: the tenant's active version, else the system one, else none", async () => {
      const c = await createTenantWithStaff(t);
      const insertConfig = (tenantId: string | null, type: string, version: number, active: boolean) =>
        storeConfiguration(t, { tenant_id: tenantId, config_type: type, version, is_active: active });

      const none = await submit(c.adminTokens, { test_type: 'JDT' });
      expect(none).toMatchObject({ configuration_id: null, configuration_version: null });

      const system = await insertConfig(null, 'jdt', 4, true);
      const fromSystem = await submit(c.adminTokens, { test_type: 'JDT' });
      expect(fromSystem).toMatchObject({ configuration_id: system, configuration_version: 4 });

      await insertConfig(c.tenant.id, 'jdt', 1, false);
      const own = await insertConfig(c.tenant.id, 'jdt', 2, true);
      await insertConfig(b.tenant.id, 'jdt', 9, true);
      await insertConfig(c.tenant.id, 'sjt', 5, true);
      const fromTenant = await submit(c.candidateTokens, { test_type: 'jdt' });
      expect(fromTenant).toMatchObject({ configuration_id: own, configuration_version: 2 });
      expect(await dbRow(t.db, 'submissions', fromTenant.id)).toMatchObject({
        configuration_id: own,
        configuration_version: 2,
      });
      await t.db.query(`DELETE FROM configurations WHERE tenant_id IS NULL`);
    });
  });

  describe('list', () => {
    let c: Staff;
    let other: { user: { id: string }; tokens: Tokens };
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      c = await createTenantWithStaff(t, { max_test_attempts: 10 });
      other = await newCandidate(c.tenant.id);
      ids.sjt1 = (await submit(c.candidateTokens, { candidate_id: 'LIST-A' })).id;
      ids.jdt1 = (await submit(c.candidateTokens, { test_type: 'JDT', candidate_id: 'LIST-A' })).id;
      ids.otherSjt = (await submit(other.tokens, { candidate_id: 'LIST-B' })).id;
      ids.adminJdt = (await submit(c.adminTokens, { test_type: 'JDT' })).id;
      await t.http().put(`${BASE}/${ids.jdt1}`).set(bearer(c.adminTokens)).send({ status: 'failed' }).expect(200);
      ids.foreign = (await submit(b.adminTokens)).id;
    });

    const list = async (tokens: Tokens, query: Record<string, unknown> = {}) => {
      const res = await t.http().get(BASE).query(query).set(bearer(tokens)).expect(200);
      return {
        ids: res.body.map((s: { id: string }) => s.id) as string[],
        total: Number(res.headers['x-total-count']),
        body: res.body,
      };
    };

    it("admin: its tenant's submissions, newest first, total in X-Total-Count; never a foreign row", async () => {
      const { ids: seen, total, body: rows } = await list(c.adminTokens);
      expect(seen).toEqual([ids.adminJdt, ids.otherSjt, ids.jdt1, ids.sjt1]);
      expect(total).toBe(4);
      expect(rows.every((s: { tenant_id: string }) => s.tenant_id === c.tenant.id)).toBe(true);
      expect(rows[2]).toEqual((await t.http().get(`${BASE}/${ids.jdt1}`).set(bearer(c.adminTokens)).expect(200)).body);
      // A foreign tenant_id narrows to nothing instead of widening the scope.
      expect(await list(c.adminTokens, { tenant_id: b.tenant.id })).toMatchObject({ ids: [], total: 0 });
    });

    it('filters: test_type (any case), status, user_id, candidate_id; skip/limit page', async () => {
      expect((await list(c.adminTokens, { test_type: 'jdt' })).ids).toEqual([ids.adminJdt, ids.jdt1]);
      expect((await list(c.adminTokens, { status: 'failed' })).ids).toEqual([ids.jdt1]);
      expect((await list(c.adminTokens, { user_id: other.user.id })).ids).toEqual([ids.otherSjt]);
      expect((await list(c.adminTokens, { candidate_id: 'LIST-A' })).ids).toEqual([ids.jdt1, ids.sjt1]);
      expect(
        (await list(c.adminTokens, { candidate_id: 'LIST-A', test_type: 'SJT', status: 'submitted' })).ids,
      ).toEqual([ids.sjt1]);
      const page = await list(c.adminTokens, { skip: 1, limit: 2 });
      expect(page).toMatchObject({ ids: [ids.otherSjt, ids.jdt1], total: 4 });
    });

    it('X-Total-Count counts every match on a last partial page and on a page past the end', async () => {
      expect(await list(c.adminTokens, { skip: 3, limit: 2 })).toMatchObject({ ids: [ids.sjt1], total: 4 });
      expect(await list(c.adminTokens, { skip: 10 })).toMatchObject({ ids: [], total: 4 });
      expect(await list(c.adminTokens, { skip: 10, test_type: 'jdt' })).toMatchObject({ ids: [], total: 2 });
      expect(await list(c.candidateTokens, { skip: 5 })).toMatchObject({ ids: [], total: 2 });
    });

    it('candidate: only its own; a foreign user_id filter gives an empty list', async () => {
      expect(await list(c.candidateTokens)).toMatchObject({ ids: [ids.jdt1, ids.sjt1], total: 2 });
      expect(await list(c.candidateTokens, { user_id: other.user.id })).toMatchObject({ ids: [], total: 0 });
      expect(await list(c.candidateTokens, { user_id: c.candidate.id, test_type: 'SJT' })).toMatchObject({
        ids: [ids.sjt1],
        total: 1,
      });
      expect(await list(c.candidateTokens, { tenant_id: b.tenant.id })).toMatchObject({ ids: [], total: 0 });
    });

    it('superadmin: every tenant, optionally one', async () => {
      const all = await list(superTokens, { limit: 500 });
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM submissions`);
      expect(all.total).toBe(n);
      expect(all.ids).toEqual(expect.arrayContaining([ids.sjt1, ids.foreign]));
      expect(await list(superTokens, { tenant_id: c.tenant.id })).toMatchObject({
        ids: [ids.adminJdt, ids.otherSjt, ids.jdt1, ids.sjt1],
        total: 4,
      });
    });

    it('400 on bad query values', async () => {
      for (const query of [
        { test_type: 'XYZ' },
        { status: 'done' },
        { user_id: 'not-a-uuid' },
        { tenant_id: '123' },
        { limit: '0' },
        { limit: 'all' },
        { skip: '-1' },
        { owner: 'me' },
      ]) {
        const res = await t.http().get(BASE).query(query).set(bearer(c.adminTokens)).expect(400);
        expect(res.body.code).toBe('VALIDATION_ERROR');
      }
    });
  });

  describe('get', () => {
    it('admin: its tenant; candidate: its own; superadmin: any', async () => {
      const mine = await submit(a.candidateTokens);
      const byAdmin = await t.http().get(`${BASE}/${mine.id}`).set(bearer(a.adminTokens)).expect(200);
      expect(byAdmin.body).toEqual(mine);
      expect((await t.http().get(`${BASE}/${mine.id}`).set(bearer(a.candidateTokens)).expect(200)).body).toEqual(mine);
      expect((await t.http().get(`${BASE}/${mine.id}`).set(bearer(superTokens)).expect(200)).body).toEqual(mine);
    });

    it("404 for another candidate's submission, another tenant's, and an unknown id — all alike; 400 for a malformed id", async () => {
      const { tokens } = await newCandidate(a.tenant.id);
      const theirs = await submit(a.adminTokens);
      const foreign = await submit(b.candidateTokens);
      const responses = [
        await t.http().get(`${BASE}/${theirs.id}`).set(bearer(tokens)).expect(404),
        await t.http().get(`${BASE}/${foreign.id}`).set(bearer(a.adminTokens)).expect(404),
        await t.http().get(`${BASE}/${UNKNOWN_ID}`).set(bearer(superTokens)).expect(404),
      ];
      for (const res of responses)
        expect(res.body).toMatchObject({ code: 'SUBMISSION_NOT_FOUND', detail: 'Submission not found' });
      expect(JSON.stringify(responses[1].body)).not.toContain(foreign.candidate_name);
      const bad = await t.http().get(`${BASE}/not-a-uuid`).set(bearer(a.adminTokens)).expect(400);
      expect(bad.body.code).toBe('INVALID_ID');
    });
  });

  describe('update', () => {
    it('stores the SJT report unchanged and records the completion time (analysis_completed: true alone completes)', async () => {
      const mine = await submit(a.candidateTokens);
      const started = Date.now();
      const res = await t
        .http()
        .put(`${BASE}/${mine.id}`)
        .set(bearer(a.adminTokens))
        .send({
          analysis_result: SJT_REPORT,
          analysis_completed: true,
          analysis_completed_at: '2000-01-01T00:00:00Z',
          regenerated_at: 'x',
        })
        .expect(200);
      expect(res.body).toEqual({
        ...mine,
        analysis_result: SJT_REPORT,
        status: 'completed',
        analysis_completed: true,
        analysis_completed_at: ISO,
        updated_at: ISO,
      });
      // The server's clock, not the client's analysis_completed_at.
      const completedAt = Date.parse(res.body.analysis_completed_at);
      expect(completedAt).toBeGreaterThanOrEqual(started - 1000);
      expect(completedAt).toBeLessThanOrEqual(Date.now() + 1000);
      expect(res.body.analysis_completed_at).toBe(res.body.updated_at);

      const read = await t.http().get(`${BASE}/${mine.id}`).set(bearer(a.candidateTokens)).expect(200);
      expect(read.body.analysis_result).toEqual(SJT_REPORT);
      const stored = await dbRow(t.db, 'submissions', mine.id);
      expect(stored.analysis_result).toEqual(SJT_REPORT);
      expect(stored).toMatchObject({ status: 'completed', analysis_completed: true });
      expect(stored.analysis_completed_at.toISOString()).toBe(res.body.analysis_completed_at);

      const [audit] = await auditRows(t.db, mine.id, 'submission.update');
      expect(audit).toMatchObject({
        user_id: a.admin.id,
        tenant_id: a.tenant.id,
        request_id: res.headers['x-request-id'],
      });
      expect(audit.old_values).toMatchObject({
        status: 'submitted',
        analysis_completed: false,
        analysis_result_sha256: null,
      });
      expect(audit.new_values).toMatchObject({
        status: 'completed',
        analysis_completed: true,
        analysis_completed_at: res.body.analysis_completed_at,
        analysis_result_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
    });

    it('stores the JDT report unchanged with status "completed"; a re-analysis replaces it and records the time anew', async () => {
      const mine = await submit(a.adminTokens, { test_type: 'JDT', conversation_history: JDT_HISTORY });
      const first = await t
        .http()
        .put(`${BASE}/${mine.id}`)
        .set(bearer(a.adminTokens))
        .send({ analysis_result: JDT_REPORT, status: 'completed' })
        .expect(200);
      expect(first.body).toMatchObject({
        analysis_result: JDT_REPORT,
        status: 'completed',
        analysis_completed: true,
        analysis_completed_at: ISO,
      });
      expect(JSON.parse(JSON.stringify(first.body.analysis_result))).toEqual(JDT_REPORT);

      const revised = { ...JDT_REPORT, summary: 'Revised after regeneration.' };
      const second = await t
        .http()
        .put(`${BASE}/${mine.id}`)
        .set(bearer(superTokens))
        .send({ analysis_result: revised, analysis_completed: true })
        .expect(200);
      expect(second.body.analysis_result).toEqual(revised);
      expect(Date.parse(second.body.analysis_completed_at)).toBeGreaterThan(
        Date.parse(first.body.analysis_completed_at),
      );
      expect((await dbRow(t.db, 'submissions', mine.id)).analysis_result).toEqual(revised);
      const audits = await auditRows(t.db, mine.id, 'submission.update');
      expect(audits.map((r: { user_id: string }) => r.user_id)).toEqual([a.admin.id, superadminId]);
      expect(audits[1].old_values.analysis_result_sha256).not.toBe(audits[1].new_values.analysis_result_sha256);
    });

    it('status moves: analyzing and failed keep no completion time; leaving "completed" clears it; null clears the report', async () => {
      const mine = await submit(a.adminTokens);
      const put = async (payload: Record<string, unknown>) =>
        (await t.http().put(`${BASE}/${mine.id}`).set(bearer(a.adminTokens)).send(payload).expect(200)).body;
      expect(await put({ status: 'analyzing' })).toMatchObject({
        status: 'analyzing',
        analysis_completed: false,
        analysis_completed_at: null,
      });
      expect(await put({ status: 'failed' })).toMatchObject({
        status: 'failed',
        analysis_completed: false,
        analysis_completed_at: null,
      });
      expect(await put({ status: 'completed', analysis_completed: true, analysis_result: JDT_REPORT })).toMatchObject({
        status: 'completed',
        analysis_completed_at: ISO,
      });
      expect(await put({ analysis_completed: false })).toMatchObject({
        status: 'submitted',
        analysis_completed: false,
        analysis_completed_at: null,
      });
      expect(await put({ analysis_result: null })).toMatchObject({ analysis_result: null });
      expect(await dbRow(t.db, 'submissions', mine.id)).toMatchObject({
        status: 'submitted',
        analysis_result: null,
        analysis_completed_at: null,
      });
    });

    it('an empty body changes nothing and writes no audit row', async () => {
      const mine = await submit(a.adminTokens);
      const before = await dbRow(t.db, 'submissions', mine.id);
      const res = await t.http().put(`${BASE}/${mine.id}`).set(bearer(a.adminTokens)).send({}).expect(200);
      expect(res.body).toEqual(mine);
      expect(await dbRow(t.db, 'submissions', mine.id)).toEqual(before);
      expect(await auditRows(t.db, mine.id, 'submission.update')).toHaveLength(0);
    });

    it('400 on invalid bodies; row unchanged', async () => {
      const mine = await submit(a.adminTokens);
      const before = await dbRow(t.db, 'submissions', mine.id);
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ status: 'done' }, 'status'],
        [{ status: null }, 'status'],
        [{ analysis_completed: 'yes' }, 'analysis_completed'],
        [{ analysis_result: [1, 2] }, 'analysis_result'],
        [{ analysis_result: 'report' }, 'analysis_result'],
        [{ analysis_result: { text: 'nul \u0000' } }, 'analysis_result.text'],
        [{ user_id: b.admin.id }, 'user_id'],
        [{ tenant_id: b.tenant.id }, 'tenant_id'],
        [{ conversation_history: [] }, 'conversation_history'],
        [{ attempt_number: 9 }, 'attempt_number'],
        [{ status: 'failed', analysis_completed: true }, 'analysis_completed'],
        [{ status: 'completed', analysis_completed: false }, 'analysis_completed'],
      ];
      for (const [payload, field] of cases) {
        const res = await t.http().put(`${BASE}/${mine.id}`).set(bearer(a.adminTokens)).send(payload);
        expect({ field, status: res.status }).toEqual({ field, status: 400 });
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      await t.http().put(`${BASE}/not-a-uuid`).set(bearer(a.adminTokens)).send({ status: 'failed' }).expect(400);
      expect(await dbRow(t.db, 'submissions', mine.id)).toEqual(before);
    });

    it("404 for another tenant's admin, with the row unchanged; 404 for an unknown id", async () => {
      const foreign = await submit(b.candidateTokens);
      const before = await dbRow(t.db, 'submissions', foreign.id);
      const res = await t
        .http()
        .put(`${BASE}/${foreign.id}`)
        .set(bearer(a.adminTokens))
        .send({ analysis_result: { summary: 'tampered' }, status: 'completed' })
        .expect(404);
      expect(res.body.code).toBe('SUBMISSION_NOT_FOUND');
      expect(await dbRow(t.db, 'submissions', foreign.id)).toEqual(before);
      expect(await auditRows(t.db, foreign.id, 'submission.update')).toHaveLength(0);
      await t.http().put(`${BASE}/${UNKNOWN_ID}`).set(bearer(superTokens)).send({ status: 'failed' }).expect(404);
    });
  });

  describe('delete', () => {
    it('admin hard-deletes: media rows cascade, the stored files are handed to the remover after commit, audited', async () => {
      const mine = await submit(a.candidateTokens);
      const keep = await submit(a.adminTokens);
      const mediaId = await storeMediaFile(t, {
        submission_id: mine.id,
        tenant_id: a.tenant.id,
        storage_key: `submissions/${mine.id}/a.webm`,
      });
      await storeMediaFile(t, {
        submission_id: mine.id,
        tenant_id: a.tenant.id,
        storage_key: `submissions/${mine.id}/b.webm`,
      });
      const keptMedia = await storeMediaFile(t, {
        submission_id: keep.id,
        tenant_id: a.tenant.id,
        storage_key: `submissions/${keep.id}/c.webm`,
      });

      // A recorder stands in for STORED_FILES_REMOVER here (media.e2e-spec checks that the real one empties storage).
      const removed: StoredFileRef[] = [];
      const rowsLeftWhenCalled: number[] = [];
      const service = t.app.get(SubmissionsService) as unknown as { filesRemover: unknown };
      const realRemover = service.filesRemover;
      service.filesRemover = {
        removeStoredFiles: async (_ctx: unknown, files: StoredFileRef[]) => {
          const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM media_files WHERE submission_id = $1`, [
            mine.id,
          ]);
          rowsLeftWhenCalled.push(n);
          removed.push(...files);
        },
      };
      try {
        const res = await t.http().delete(`${BASE}/${mine.id}`).set(bearer(a.adminTokens)).expect(200);
        expect(res.body).toEqual({ message: 'Submission deleted', id: mine.id, media_files_deleted: 2 });
      } finally {
        service.filesRemover = realRemover;
      }
      expect(removed.map((f) => f.storage_key).sort()).toEqual([
        `submissions/${mine.id}/a.webm`,
        `submissions/${mine.id}/b.webm`,
      ]);
      expect(removed.every((f) => f.storage_provider === 'local')).toBe(true);
      expect(rowsLeftWhenCalled).toEqual([0]); // called once, after the rows were gone for good
      expect(await dbRow(t.db, 'submissions', mine.id)).toBeUndefined();
      expect(await t.db.query(`SELECT id FROM media_files WHERE id = $1`, [mediaId])).toHaveLength(0);
      expect(await t.db.query(`SELECT id FROM media_files WHERE id = $1`, [keptMedia])).toHaveLength(1);
      expect(await dbRow(t.db, 'submissions', keep.id)).toBeDefined();

      const [audit] = await auditRows(t.db, mine.id, 'submission.delete');
      expect(audit).toMatchObject({ user_id: a.admin.id, tenant_id: a.tenant.id, new_values: null });
      expect(audit.old_values).toMatchObject({ id: mine.id, user_id: a.candidate.id, test_type: 'SJT' });
      expect(audit.old_values.media_files).toHaveLength(2);

      await t.http().delete(`${BASE}/${mine.id}`).set(bearer(a.adminTokens)).expect(404);
      await t.http().get(`${BASE}/${mine.id}`).set(bearer(a.candidateTokens)).expect(404);
    });

    it("404 for another tenant's admin (row and media unchanged); superadmin deletes anywhere; 400 malformed id", async () => {
      const foreign = await submit(b.candidateTokens);
      const mediaId = await storeMediaFile(t, {
        submission_id: foreign.id,
        tenant_id: b.tenant.id,
        storage_key: `submissions/${foreign.id}/x.webm`,
      });
      const before = await dbRow(t.db, 'submissions', foreign.id);
      const res = await t.http().delete(`${BASE}/${foreign.id}`).set(bearer(a.adminTokens)).expect(404);
      expect(res.body.code).toBe('SUBMISSION_NOT_FOUND');
      expect(await dbRow(t.db, 'submissions', foreign.id)).toEqual(before);
      expect(await t.db.query(`SELECT id FROM media_files WHERE id = $1`, [mediaId])).toHaveLength(1);
      await t.http().delete(`${BASE}/not-a-uuid`).set(bearer(a.adminTokens)).expect(400);

      await t.http().delete(`${BASE}/${foreign.id}`).set(bearer(superTokens)).expect(200);
      expect(await dbRow(t.db, 'submissions', foreign.id)).toBeUndefined();
      const [audit] = await auditRows(t.db, foreign.id, 'submission.delete');
      expect(audit).toMatchObject({ user_id: superadminId, tenant_id: b.tenant.id });
    });
  });

  describe('attempts and latest', () => {
    let c: Staff;

    beforeAll(async () => {
      c = await createTenantWithStaff(t, { max_test_attempts: 3 });
    });

    it('attempts: count, limit and remaining; a candidate asks for itself, an admin for its tenant, any case of type', async () => {
      const { user, tokens } = await newCandidate(c.tenant.id);
      const url = (type: string) => `${BASE}/user/${user.id}/attempts/${type}`;
      expect((await t.http().get(url('SJT')).set(bearer(tokens)).expect(200)).body).toEqual({
        user_id: user.id,
        test_type: 'SJT',
        attempt_count: 0,
        max_attempts: 3,
        remaining: 3,
      });
      await submit(tokens);
      await submit(tokens);
      expect((await t.http().get(url('sjt')).set(bearer(c.adminTokens)).expect(200)).body).toEqual({
        user_id: user.id,
        test_type: 'SJT',
        attempt_count: 2,
        max_attempts: 3,
        remaining: 1,
      });
      await submit(tokens);
      expect((await t.http().get(url('SJT')).set(bearer(superTokens)).expect(200)).body).toMatchObject({
        attempt_count: 3,
        remaining: 0,
      });
      expect((await t.http().get(url('JDT')).set(bearer(tokens)).expect(200)).body).toMatchObject({
        attempt_count: 0,
        remaining: 3,
      });
    });

    it('attempts of staff are not limited: max_attempts and remaining are null', async () => {
      await submit(c.adminTokens);
      const res = await t.http().get(`${BASE}/user/${c.admin.id}/attempts/SJT`).set(bearer(c.adminTokens)).expect(200);
      expect(res.body).toEqual({
        user_id: c.admin.id,
        test_type: 'SJT',
        attempt_count: 1,
        max_attempts: null,
        remaining: null,
      });
    });

    it('latest: the newest submission of the type, or JSON null', async () => {
      const { user, tokens } = await newCandidate(c.tenant.id);
      const url = (type: string) => `${BASE}/user/${user.id}/latest/${type}`;
      const none = await t.http().get(url('SJT')).set(bearer(tokens)).expect(200);
      expect(none.text).toBe('null');
      expect(none.headers['content-type']).toMatch(/application\/json/);
      await submit(tokens);
      const second = await submit(tokens, { candidate_name: 'Second try' });
      await submit(tokens, { test_type: 'JDT' });
      const latest = await t.http().get(url('sjt')).set(bearer(c.adminTokens)).expect(200);
      expect(latest.body).toEqual(second);
      expect((await t.http().get(url('SJT')).set(bearer(tokens)).expect(200)).body).toEqual(second);
    });

    it("404 for another user (candidate), another tenant's user (admin), an unknown user; 400 for bad params", async () => {
      const { user } = await newCandidate(c.tenant.id);
      for (const kind of ['attempts', 'latest']) {
        const cases: Array<[Tokens, string]> = [
          [c.candidateTokens, user.id],
          [a.adminTokens, user.id],
          [c.adminTokens, superadminId],
          [superTokens, UNKNOWN_ID],
        ];
        for (const [tokens, userId] of cases) {
          const res = await t.http().get(`${BASE}/user/${userId}/${kind}/SJT`).set(bearer(tokens)).expect(404);
          expect(res.body.code).toBe('USER_NOT_FOUND');
        }
        const badType = await t
          .http()
          .get(`${BASE}/user/${user.id}/${kind}/ABC`)
          .set(bearer(c.adminTokens))
          .expect(400);
        expect(badType.body.errors).toEqual([{ field: 'test_type', message: 'test_type must be one of: JDT, SJT' }]);
        const badId = await t.http().get(`${BASE}/user/nope/${kind}/SJT`).set(bearer(c.adminTokens)).expect(400);
        expect(badId.body.code).toBe('INVALID_ID');
      }
    });
  });

  describe('statistics from real rows', () => {
    it("a tenant's statistics count its submissions: total, per type, last 30 days", async () => {
      const tenant: TenantRow = await createTenant(t.db);
      const admin = await createUser(t.db, { role: 'admin', tenantId: tenant.id });
      const candidate = await createUser(t.db, { tenantId: tenant.id });
      await storeSubmission(t, { tenant_id: tenant.id, user_id: candidate.id, test_type: 'SJT', attempt_number: 1 });
      await storeSubmission(t, {
        tenant_id: tenant.id,
        user_id: candidate.id,
        test_type: 'SJT',
        attempt_number: 2,
        created_at: ago('40 days'),
      });
      await storeSubmission(t, {
        tenant_id: tenant.id,
        user_id: candidate.id,
        test_type: 'JDT',
        attempt_number: 1,
        created_at: ago('10 days'),
      });
      await storeSubmission(t, {
        tenant_id: tenant.id,
        user_id: admin.id,
        test_type: 'JDT',
        attempt_number: 1,
        created_at: ago('31 days'),
      });
      await storeSubmission(t, {
        tenant_id: b.tenant.id,
        user_id: b.candidate.id,
        test_type: 'SJT',
        attempt_number: 90,
      }); // another tenant's never count

      const expected = { total: 4, jdt: 2, sjt: 2, last_30_days: 2 };
      const bySuper = await t
        .http()
        .get(`/api/v1/tenants/${tenant.id}/statistics`)
        .set(bearer(superTokens))
        .expect(200);
      expect(bySuper.body.submissions).toEqual(expected);
      const byAdmin = await t
        .http()
        .get(`/api/v1/tenants/${tenant.id}/statistics`)
        .set(bearer(await loginAs(t, admin)))
        .expect(200);
      expect(byAdmin.body.submissions).toEqual(expected);

      // Through the API too.
      const { tokens } = await newCandidate(tenant.id);
      await submit(tokens, { test_type: 'JDT' });
      const after = await t.http().get(`/api/v1/tenants/${tenant.id}/statistics`).set(bearer(superTokens)).expect(200);
      expect(after.body.submissions).toEqual({ total: 5, jdt: 3, sjt: 2, last_30_days: 3 });
    });

    it('the platform overview counts every submission and those of the last 24 hours', async () => {
      const overview = async () =>
        (await t.http().get('/api/v1/statistics/overview').set(bearer(superTokens)).expect(200)).body.submissions;
      const start = await overview();
      const [{ total, recent }] = await t.db.query(
        `SELECT count(*)::int AS total, count(*) FILTER (WHERE created_at > now() - interval '24 hours')::int AS recent FROM submissions`,
      );
      expect(start).toEqual({ total, last_24_hours: recent });

      await submit(b.adminTokens);
      await storeSubmission(t, {
        tenant_id: a.tenant.id,
        user_id: a.admin.id,
        test_type: 'JDT',
        attempt_number: 900,
        created_at: ago('2 days'),
      });
      await storeSubmission(t, {
        tenant_id: b.tenant.id,
        user_id: b.admin.id,
        test_type: 'JDT',
        attempt_number: 900,
        created_at: ago('23 hours'),
      });
      expect(await overview()).toEqual({ total: start.total + 3, last_24_hours: start.last_24_hours + 2 });
    });
  });

  it('every route is in the OpenAPI document with its schemas', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body;
    const list = doc.paths[BASE].get;
    expect(list.responses['200'].content['application/json'].schema).toEqual({
      type: 'array',
      items: { $ref: '#/components/schemas/SubmissionResponse' },
    });
    expect(list.responses['200'].headers['X-Total-Count']).toBeDefined();
    expect(doc.paths[BASE].post.requestBody.content['application/json'].schema.$ref).toMatch(/CreateSubmissionDto$/);
    expect(doc.paths[BASE].post.responses['409']).toBeDefined();
    expect(doc.paths[`${BASE}/{id}`].put.requestBody.content['application/json'].schema.$ref).toMatch(
      /UpdateSubmissionDto$/,
    );
    expect(doc.paths[`${BASE}/{id}`].delete.responses['200'].content['application/json'].schema.$ref).toMatch(
      /SubmissionDeletedResponse$/,
    );
    expect(
      doc.paths[`${BASE}/user/{user_id}/attempts/{test_type}`].get.responses['200'].content['application/json'].schema
        .$ref,
    ).toMatch(/AttemptsResponse$/);
    expect(
      doc.paths[`${BASE}/user/{user_id}/latest/{test_type}`].get.responses['200'].content['application/json'].schema,
    ).toEqual({
      type: 'object',
      nullable: true,
      allOf: [{ $ref: '#/components/schemas/SubmissionResponse' }],
    });
    const create = doc.components.schemas.CreateSubmissionDto;
    expect(create.required).toEqual(expect.arrayContaining(['candidate_name', 'test_type', 'conversation_history']));
    expect(create.properties.user_id).toBeUndefined();
    expect(create.properties.tenant_id).toBeUndefined();
  });
});
