import { SYSTEM_TENANT_ID } from '../../src/domain/tenancy';
import { bearer, createTenantWithStaff, Tokens } from '../setup/factories';
import { auditRows, createConfiguration, dbRow, setupTwoTenants, Staff } from '../setup/fixtures';
import { createTestApp, TestApp } from '../setup/test-app';
import { ISO, UUID } from '../setup/matchers';

const UNKNOWN_ID = '6a1e0f52-3333-4333-8333-333333333333';
const BASE = '/api/v1/configurations';

/** Marker strings that may only ever reach staff: every answer-key field carries one. */
const SECRET = {
  best: 'SECRET-BEST-RATIONALE',
  worst: 'SECRET-WORST-RATIONALE',
  preferred: 'SECRET-PREFERRED-ANSWER',
  privateNote: 'SECRET-PRIVATE-NOTE',
  correct: 'SECRET-CORRECT-ANSWER',
  mcBest: 'SECRET-MC-BEST',
};
const HIDDEN_KEYS = [
  'bestResponseRationale',
  'worstResponseRationale',
  'preferredAnswer',
  'bestResponse',
  'worstResponse',
  'bestReason',
  'worstReason',
  'correct_answer',
  'correct_answers',
  'correctAnswer',
  'answerKey',
  '_privateNotes',
];

const sjt = (situation = 'A customer is angry about a late delivery.') => ({
  scenarios: [
    {
      id: 1726480000000.123,
      name: '',
      situation,
      question: 'What do you do?',
      bestResponseRationale: SECRET.best,
      worstResponseRationale: SECRET.worst,
      assessedCompetency: 'Customer Focus, Ownership',
      prepTimeSeconds: 10,
      answerTimeSeconds: 90,
      reRecordLimit: 1,
      ttsVoice: '',
      _privateNotes: SECRET.privateNote,
    },
    {
      id: 'scenario2',
      situation: 'Multiple choice leftover',
      question: 'Pick one',
      options: [{ id: 'A', text: 'Apologise' }],
      bestResponse: SECRET.mcBest,
      worstResponse: 'D',
      bestReason: SECRET.mcBest,
      worstReason: 'r',
      correct_answer: SECRET.correct,
      correctAnswer: SECRET.correct,
      correct_answers: [SECRET.correct],
      answerKey: { A: SECRET.correct },
    },
  ],
  settings: {
    timeLimit: 0,
    numberOfQuestions: 5,
    questionTimeLimit: 120,
    aiGeneratedQuestions: 0,
    followUpCount: 1,
    followUpPenalty: 0,
    prepTimeSeconds: 10,
    autoStartRecording: true,
    answerTimeSeconds: 90,
    reRecordLimit: 1,
    ttsEnabled: true,
    ttsVoice: '',
    instructions: 'an unknown settings key, kept',
  },
  uiTheme: { colour: 'teal', nested: [1, 'two', null, { deep: true }] },
});

const jdt = (roleName = 'Software Engineer') => ({
  roles: [
    {
      id: 1726480000001,
      roleName,
      jobDescription: 'Builds and maintains services',
      questions: [
        {
          id: 1726480000002,
          text: 'Tell me about a hard bug',
          preferredAnswer: SECRET.preferred,
          competency: 'Technical Knowledge',
        },
      ],
    },
  ],
  settings: { timeLimit: 0, numberOfQuestions: 5, aiGeneratedQuestions: 0 },
});

const globalConfig = (replyMode: 'video' | 'audio' | 'text' = 'video') => ({
  replyMode,
  showReport: true,
  isJdtEnabled: true,
  isSjtEnabled: true,
  languages: ['English', 'French'],
  allow_public_registration: false,
});

describe('Configurations API', () => {
  let t: TestApp;
  let a: Staff;
  let b: Staff;
  let superTokens: Tokens;
  let superadminId: string;

  /** Every version of one (tenant or system, type), oldest first. */
  const history = (tenantId: string | null, type: string) =>
    t.db.query(
      `SELECT id, version, is_active, config_data FROM configurations
        WHERE tenant_id IS NOT DISTINCT FROM $1 AND config_type = $2 ORDER BY version`,
      [tenantId, type],
    );
  const countRows = async () => (await t.db.query(`SELECT count(*)::int AS n FROM configurations`))[0].n as number;
  /** No active system configuration of `type` (the trigger allows is_active changes only). */
  const clearSystem = (type: string) =>
    t.db.query(
      `UPDATE configurations SET is_active = false WHERE tenant_id IS NULL AND config_type = $1 AND is_active`,
      [type],
    );

  beforeAll(async () => {
    t = await createTestApp();
    ({ a, b, superTokens, superadminId } = await setupTwoTenants(t));
  });
  afterAll(() => t.close());

  it('401 without a token on every route', async () => {
    const routes: Array<['get' | 'post' | 'put' | 'delete', string]> = [
      ['get', BASE],
      ['post', BASE],
      ['get', `${BASE}/sjt`],
      ['get', `${BASE}/jdt`],
      ['get', `${BASE}/global`],
      ['post', `${BASE}/sjt`],
      ['post', `${BASE}/jdt`],
      ['post', `${BASE}/global`],
      ['get', `${BASE}/type/sjt`],
      ['get', `${BASE}/type/sjt/versions`],
      ['get', `${BASE}/${UNKNOWN_ID}`],
      ['put', `${BASE}/${UNKNOWN_ID}`],
      ['delete', `${BASE}/${UNKNOWN_ID}`],
    ];
    for (const [method, path] of routes) {
      const res = await t.http()[method](path).send({}).expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
  });

  describe('create', () => {
    it('admin: 201 with the full row in its tenant, version 1, audited in the same request', async () => {
      const s = await createTenantWithStaff(t);
      const data = sjt();
      const res = await t
        .http()
        .post(BASE)
        .set(bearer(s.adminTokens))
        .send({ config_type: 'sjt', config_data: data })
        .expect(201);
      expect(res.body).toEqual({
        id: UUID,
        tenant_id: s.tenant.id,
        config_type: 'sjt',
        scope: 'tenant',
        config_data: data,
        version: 1,
        is_active: true,
        created_by: s.admin.id,
        created_at: ISO,
        updated_at: ISO,
      });
      expect(await dbRow(t.db, 'configurations', res.body.id)).toMatchObject({
        tenant_id: s.tenant.id,
        scope: 'tenant',
        config_type: 'sjt',
        config_data: data,
        version: 1,
        is_active: true,
        created_by: s.admin.id,
      });
      const [audit] = await auditRows(t.db, res.body.id, 'configuration.create');
      expect(audit).toMatchObject({
        user_id: s.admin.id,
        tenant_id: s.tenant.id,
        resource_type: 'configuration',
        old_values: null,
        new_values: res.body,
        request_id: res.headers['x-request-id'],
      });
    });

    it('unknown keys round-trip unchanged; config_type is case-insensitive and stored lower-case', async () => {
      const s = await createTenantWithStaff(t);
      const data = { ...globalConfig('audio'), customFlag: { enabled: true, list: [1.5, 'x', null] }, '': 'empty key' };
      const created = await createConfiguration(t, s.adminTokens, { config_type: 'GLOBAL', config_data: data });
      expect(created.config_type).toBe('global');
      const read = await t.http().get(`${BASE}/${created.id}`).set(bearer(s.adminTokens)).expect(200);
      expect(read.body.config_data).toEqual(data);
      expect((await dbRow(t.db, 'configurations', created.id)).config_data).toEqual(data);
    });

    it("partial shapes of the original clients are stored as sent: test_api.py's JDT, a multiple-choice SJT", async () => {
      const s = await createTenantWithStaff(t);
      // backend/test_api.py of the first seed, verbatim
      const script = {
        config_type: 'jdt',
        config_data: { timeLimit: 30, numberOfQuestions: 10, competencies: ['Problem Solving', 'Communication'] },
      };
      const jdt = await createConfiguration(t, s.adminTokens, script);
      expect(jdt).toMatchObject({ config_type: 'jdt', config_data: script.config_data, version: 1, is_active: true });
      expect((await dbRow(t.db, 'configurations', jdt.id)).config_data).toEqual(script.config_data);

      const multipleChoice = {
        scenarios: [
          {
            id: 'scenario1',
            situation: 'A colleague takes credit for your work.',
            options: [
              { id: 'A', text: 'Talk to them privately' },
              { id: 'D', text: 'Complain publicly' },
            ],
            competency: 'Integrity',
            bestResponse: 'A',
            worstResponse: 'D',
            bestReason: SECRET.mcBest,
            worstReason: 'Damages the team',
          },
        ],
        settings: { numberOfQuestions: 5, timeLimit: 30, instructions: 'Pick the best and the worst response.' },
      };
      const raw = await t.http().post(`${BASE}/sjt`).set(bearer(s.adminTokens)).send(multipleChoice).expect(201);
      expect((await dbRow(t.db, 'configurations', raw.body.id)).config_data).toEqual(multipleChoice);
      const asCandidate = await t.http().get(`${BASE}/type/sjt`).set(bearer(s.candidateTokens)).expect(200);
      expect(asCandidate.body.config_data.scenarios[0]).toEqual({
        id: 'scenario1',
        situation: multipleChoice.scenarios[0].situation,
        options: multipleChoice.scenarios[0].options,
        competency: 'Integrity',
      });
    });

    it('superadmin: system scope by default (tenant_id null), a tenant with tenant_id; 404 for an unknown tenant', async () => {
      const system = await createConfiguration(t, superTokens, { config_type: 'jdt', config_data: jdt('System role') });
      expect(system).toMatchObject({ tenant_id: null, scope: 'system', created_by: superadminId, is_active: true });
      const [audit] = await auditRows(t.db, system.id, 'configuration.create');
      expect(audit).toMatchObject({ user_id: superadminId, tenant_id: SYSTEM_TENANT_ID });

      const explicit = await createConfiguration(t, superTokens, {
        config_type: 'jdt',
        config_data: jdt(),
        scope: 'system',
      });
      expect(explicit).toMatchObject({ tenant_id: null, scope: 'system', version: system.version + 1 });

      const s = await createTenantWithStaff(t);
      const forTenant = await createConfiguration(t, superTokens, {
        config_type: 'jdt',
        config_data: jdt(),
        tenant_id: s.tenant.id,
      });
      expect(forTenant).toMatchObject({
        tenant_id: s.tenant.id,
        scope: 'tenant',
        version: 1,
        created_by: superadminId,
      });
      const [tenantAudit] = await auditRows(t.db, forTenant.id, 'configuration.create');
      expect(tenantAudit.tenant_id).toBe(s.tenant.id);

      const before = await countRows();
      const unknown = await t
        .http()
        .post(BASE)
        .set(bearer(superTokens))
        .send({ config_type: 'jdt', config_data: jdt(), tenant_id: UNKNOWN_ID })
        .expect(404);
      expect(unknown.body.code).toBe('TENANT_NOT_FOUND');
      const both = await t
        .http()
        .post(BASE)
        .set(bearer(superTokens))
        .send({ config_type: 'jdt', config_data: jdt(), scope: 'system', tenant_id: s.tenant.id })
        .expect(400);
      expect(both.body.errors).toEqual([{ field: 'tenant_id', message: 'must be omitted when scope is "system"' }]);
      expect(await countRows()).toBe(before);
    });

    it('admin: system scope is 403, a foreign tenant_id is 403, its own tenant_id is fine — nothing written on refusal', async () => {
      const before = await countRows();
      const system = await t
        .http()
        .post(BASE)
        .set(bearer(a.adminTokens))
        .send({ config_type: 'global', config_data: globalConfig(), scope: 'system' })
        .expect(403);
      expect(system.body.code).toBe('SYSTEM_SCOPE_FORBIDDEN');
      const foreign = await t
        .http()
        .post(BASE)
        .set(bearer(a.adminTokens))
        .send({ config_type: 'global', config_data: globalConfig(), tenant_id: b.tenant.id })
        .expect(403);
      expect(foreign.body.code).toBe('FOREIGN_TENANT');
      expect(await countRows()).toBe(before);
      expect(await history(b.tenant.id, 'global')).toEqual([]);

      const own = await createConfiguration(t, a.adminTokens, {
        config_type: 'global',
        config_data: globalConfig(),
        tenant_id: a.tenant.id,
        scope: 'tenant',
      });
      expect(own).toMatchObject({ tenant_id: a.tenant.id, scope: 'tenant' });
    });

    it('403 for proctors and candidates', async () => {
      for (const tokens of [a.proctorTokens, a.candidateTokens]) {
        const res = await t
          .http()
          .post(BASE)
          .set(bearer(tokens))
          .send({ config_type: 'sjt', config_data: sjt() })
          .expect(403);
        expect(res.body.code).toBe('INSUFFICIENT_ROLE');
      }
    });

    it('400 on invalid bodies and config_data shapes, with field paths; nothing inserted', async () => {
      const before = await countRows();
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ config_data: sjt() }, 'config_type'],
        [{ config_type: 'mcq', config_data: sjt() }, 'config_type'],
        [{ config_type: 'sjt' }, 'config_data'],
        [{ config_type: 'sjt', config_data: [sjt()] }, 'config_data'],
        [{ config_type: 'sjt', config_data: 'text' }, 'config_data'],
        [{ config_type: 'sjt', config_data: sjt(), version: 7 }, 'version'],
        [{ config_type: 'sjt', config_data: sjt(), is_active: false }, 'is_active'],
        [{ config_type: 'sjt', config_data: sjt(), scope: 'world' }, 'scope'],
        [{ config_type: 'sjt', config_data: sjt(), tenant_id: 'nope' }, 'tenant_id'],
        [{ config_type: 'sjt', config_data: { scenarios: {} } }, 'config_data.scenarios'],
        [
          { config_type: 'sjt', config_data: { scenarios: [{ id: 1, question: ['q'] }] } },
          'config_data.scenarios[0].question',
        ],
        [
          { config_type: 'sjt', config_data: { scenarios: [{ id: 1, situation: 5, question: 'q' }] } },
          'config_data.scenarios[0].situation',
        ],
        [
          { config_type: 'sjt', config_data: { scenarios: [], settings: { followUpCount: 9 } } },
          'config_data.settings.followUpCount',
        ],
        [
          { config_type: 'sjt', config_data: { scenarios: [], settings: { followUpPenalty: -1 } } },
          'config_data.settings.followUpPenalty',
        ],
        [
          { config_type: 'sjt', config_data: { scenarios: [], settings: { timeLimit: '10' } } },
          'config_data.settings.timeLimit',
        ],
        [
          {
            config_type: 'jdt',
            config_data: { roles: [{ id: 1, roleName: 'r', questions: [{ id: 1, text: null }] }] },
          },
          'config_data.roles[0].questions[0].text',
        ],
        [
          { config_type: 'jdt', config_data: { roles: [{ id: 1, roleName: 3, questions: [] }] } },
          'config_data.roles[0].roleName',
        ],
        [{ config_type: 'global', config_data: { replyMode: 'smoke-signals' } }, 'config_data.replyMode'],
        [{ config_type: 'global', config_data: { languages: [1] } }, 'config_data.languages[0]'],
        [{ config_type: 'global', config_data: { note: 'nul\u0000byte' } }, 'config_data.note'],
      ];
      for (const [body, field] of cases) {
        const res = await t.http().post(BASE).set(bearer(a.adminTokens)).send(body);
        expect({ body, status: res.status, code: res.body.code }).toEqual({
          body,
          status: 400,
          code: 'VALIDATION_ERROR',
        });
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      expect(await countRows()).toBe(before);
    });

    it('size-bounded: config_data over 512 KB is 413 CONFIG_TOO_LARGE, a body over 1 MB is 413 — nothing inserted; just under is fine', async () => {
      const before = await countRows();
      const big = { ...globalConfig(), blob: 'x'.repeat(600 * 1024) };
      const res = await t
        .http()
        .post(BASE)
        .set(bearer(a.adminTokens))
        .send({ config_type: 'global', config_data: big })
        .expect(413);
      expect(res.body.code).toBe('CONFIG_TOO_LARGE');
      const raw = await t.http().post(`${BASE}/global`).set(bearer(a.adminTokens)).send(big).expect(413);
      expect(raw.body.code).toBe('CONFIG_TOO_LARGE');
      const huge = { ...globalConfig(), blob: 'x'.repeat(1100 * 1024) };
      const body = await t
        .http()
        .post(BASE)
        .set(bearer(a.adminTokens))
        .send({ config_type: 'global', config_data: huge })
        .expect(413);
      expect(body.body.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await countRows()).toBe(before);
      // Just under the bound is fine.
      const fits = { ...globalConfig(), blob: 'x'.repeat(500 * 1024) };
      await t
        .http()
        .post(BASE)
        .set(bearer(a.adminTokens))
        .send({ config_type: 'global', config_data: fits })
        .expect(201);
    });
  });

  describe('versions', () => {
    it('every save is a new immutable row: 1, 2, 3… without gaps, exactly one active, history newest first', async () => {
      const s = await createTenantWithStaff(t);
      const v1 = await createConfiguration(t, s.adminTokens, { config_type: 'sjt', config_data: sjt('first') });
      const v2 = (
        await t
          .http()
          .put(`${BASE}/${v1.id}`)
          .set(bearer(s.adminTokens))
          .send({ config_data: sjt('second') })
          .expect(200)
      ).body;
      const v3 = (await t.http().post(`${BASE}/sjt`).set(bearer(s.adminTokens)).send(sjt('third')).expect(201)).body;
      expect([v1.version, v2.version, v3.version]).toEqual([1, 2, 3]);
      expect(v2).toMatchObject({ tenant_id: s.tenant.id, config_type: 'sjt', scope: 'tenant', is_active: true });
      expect(v2.id).not.toBe(v1.id);

      const rows = await history(s.tenant.id, 'sjt');
      expect(rows.map((r: { version: number }) => r.version)).toEqual([1, 2, 3]);
      expect(rows.map((r: { is_active: boolean }) => r.is_active)).toEqual([false, false, true]);
      expect(
        rows.map((r: { config_data: { scenarios: { situation: string }[] } }) => r.config_data.scenarios[0].situation),
      ).toEqual(['first', 'second', 'third']);

      const list = await t.http().get(`${BASE}/type/sjt/versions`).set(bearer(s.adminTokens)).expect(200);
      expect(list.headers['x-total-count']).toBe('3');
      expect(list.body.map((r: { version: number }) => r.version)).toEqual([3, 2, 1]);
      expect(list.body[2]).toMatchObject({ id: v1.id, is_active: false, config_data: sjt('first') });
      const page = await t
        .http()
        .get(`${BASE}/type/SJT/versions`)
        .query({ skip: 1, limit: 1 })
        .set(bearer(s.adminTokens))
        .expect(200);
      expect(page.body.map((r: { version: number }) => r.version)).toEqual([2]);
      expect(page.headers['x-total-count']).toBe('3');
    });

    it('PUT on an old version saves the next version of that (tenant, type); audited with the replaced version', async () => {
      const s = await createTenantWithStaff(t);
      const v1 = await createConfiguration(t, s.adminTokens, { config_type: 'jdt', config_data: jdt('one') });
      const v2 = await createConfiguration(t, s.adminTokens, { config_type: 'jdt', config_data: jdt('two') });
      const res = await t
        .http()
        .put(`${BASE}/${v1.id}`)
        .set(bearer(s.adminTokens))
        .send({ config_data: jdt('restored') })
        .expect(200);
      expect(res.body).toMatchObject({
        version: 3,
        is_active: true,
        config_data: jdt('restored'),
        tenant_id: s.tenant.id,
      });
      expect((await dbRow(t.db, 'configurations', v1.id)).config_data).toEqual(jdt('one'));
      expect((await dbRow(t.db, 'configurations', v2.id)).is_active).toBe(false);
      const [audit] = await auditRows(t.db, res.body.id, 'configuration.update');
      expect(audit).toMatchObject({
        user_id: s.admin.id,
        tenant_id: s.tenant.id,
        old_values: { ...v2, updated_at: ISO },
        new_values: { ...res.body, source_id: v1.id },
      });
      expect(audit.old_values.id).toBe(v2.id);
    });

    it('stored versions cannot be edited in place, even by SQL (only is_active may change)', async () => {
      const s = await createTenantWithStaff(t);
      const v1 = await createConfiguration(t, s.adminTokens, { config_type: 'global', config_data: globalConfig() });
      await expect(t.db.query(`UPDATE configurations SET config_data = '{}' WHERE id = $1`, [v1.id])).rejects.toThrow(
        /immutable/,
      );
      await expect(t.db.query(`UPDATE configurations SET version = 9 WHERE id = $1`, [v1.id])).rejects.toThrow(
        /immutable/,
      );
      expect(await dbRow(t.db, 'configurations', v1.id)).toMatchObject({ version: 1, config_data: globalConfig() });
    });

    it('the database refuses a second active row or a repeated version', async () => {
      const s = await createTenantWithStaff(t);
      const v1 = await createConfiguration(t, s.adminTokens, { config_type: 'global', config_data: globalConfig() });
      const insert = (version: number, active: boolean) =>
        t.db.query(
          `INSERT INTO configurations (tenant_id, scope, config_type, config_data, version, is_active) VALUES ($1, 'tenant', 'global', '{}', $2, $3)`,
          [s.tenant.id, version, active],
        );
      await expect(insert(2, true)).rejects.toThrow(/ux_configurations_one_active/);
      await expect(insert(1, false)).rejects.toThrow(/ux_configurations_version/);
      await expect(
        t.db.query(
          `INSERT INTO configurations (scope, config_type, config_data, version) VALUES ('tenant', 'global', '{}', 1)`,
        ),
      ).rejects.toThrow(/ck_configurations_scope_tenant/);
      expect((await history(s.tenant.id, 'global')).map((r: { id: string }) => r.id)).toEqual([v1.id]);
    });

    it('history scopes: admin its tenant or system (scope=system); a foreign tenant_id is 403; superadmin any', async () => {
      const s = await createTenantWithStaff(t);
      await createConfiguration(t, s.adminTokens, { config_type: 'jdt', config_data: jdt() });
      await createConfiguration(t, superTokens, { config_type: 'jdt', config_data: jdt('system') });
      const systemRows = await history(null, 'jdt');

      const sys = await t
        .http()
        .get(`${BASE}/type/jdt/versions`)
        .query({ scope: 'system', limit: 500 })
        .set(bearer(s.adminTokens))
        .expect(200);
      expect(sys.body.every((r: { tenant_id: string | null }) => r.tenant_id === null)).toBe(true);
      expect(sys.headers['x-total-count']).toBe(String(systemRows.length));
      const superDefault = await t
        .http()
        .get(`${BASE}/type/jdt/versions`)
        .query({ limit: 500 })
        .set(bearer(superTokens))
        .expect(200);
      expect(superDefault.body.map((r: { id: string }) => r.id)).toEqual(sys.body.map((r: { id: string }) => r.id));
      const superTenant = await t
        .http()
        .get(`${BASE}/type/jdt/versions`)
        .query({ tenant_id: s.tenant.id })
        .set(bearer(superTokens))
        .expect(200);
      expect(superTenant.body).toHaveLength(1);
      expect(superTenant.body[0].tenant_id).toBe(s.tenant.id);

      const foreign = await t
        .http()
        .get(`${BASE}/type/jdt/versions`)
        .query({ tenant_id: b.tenant.id })
        .set(bearer(s.adminTokens))
        .expect(403);
      expect(foreign.body.code).toBe('FOREIGN_TENANT');
      for (const tokens of [s.proctorTokens, s.candidateTokens]) {
        await t.http().get(`${BASE}/type/jdt/versions`).set(bearer(tokens)).expect(403);
      }
      await t.http().get(`${BASE}/type/mcq/versions`).set(bearer(s.adminTokens)).expect(400);
      await t.http().get(`${BASE}/type/jdt/versions`).query({ limit: 0 }).set(bearer(s.adminTokens)).expect(400);
    });
  });

  describe('concurrent saves', () => {
    it('parallel POSTs to one tenant: versions 1..N exactly once, a single active row (the last)', async () => {
      const s = await createTenantWithStaff(t);
      const n = 12;
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          i % 2 === 0
            ? t
                .http()
                .post(BASE)
                .set(bearer(s.adminTokens))
                .send({ config_type: 'sjt', config_data: sjt(`parallel ${i}`) })
            : t
                .http()
                .post(`${BASE}/sjt`)
                .set(bearer(s.adminTokens))
                .send(sjt(`parallel ${i}`)),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(n).fill(201));
      expect(results.map((r) => r.body.version).sort((x, y) => x - y)).toEqual(
        Array.from({ length: n }, (_, i) => i + 1),
      );
      const rows = await history(s.tenant.id, 'sjt');
      expect(rows.map((r: { version: number }) => r.version)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
      expect(
        rows.filter((r: { is_active: boolean }) => r.is_active).map((r: { version: number }) => r.version),
      ).toEqual([n]);
    });

    it('parallel PUTs, POSTs and DELETEs on the system scope keep versions contiguous with at most one active', async () => {
      const start = await createConfiguration(t, superTokens, {
        config_type: 'global',
        config_data: globalConfig('text'),
      });
      const results = await Promise.all([
        ...Array.from({ length: 5 }, () =>
          t
            .http()
            .put(`${BASE}/${start.id}`)
            .set(bearer(superTokens))
            .send({ config_data: globalConfig('audio') }),
        ),
        ...Array.from({ length: 5 }, () =>
          t.http().post(`${BASE}/global`).set(bearer(superTokens)).send(globalConfig('video')),
        ),
        t.http().delete(`${BASE}/${start.id}`).set(bearer(superTokens)),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([...Array(5).fill(200), ...Array(5).fill(201), 200].sort());
      const rows = await history(null, 'global');
      expect(rows.map((r: { version: number }) => r.version)).toEqual(
        Array.from({ length: rows.length }, (_, i) => i + 1),
      );
      expect(rows[rows.length - 1].version).toBe(start.version + 10);
      const active = rows.filter((r: { is_active: boolean }) => r.is_active);
      expect(active).toHaveLength(1);
      expect(active[0].version).toBe(start.version + 10);
    });
  });

  describe('effective configuration', () => {
    it("/type/{type}: the tenant's active one, else the system one, else JSON null (200)", async () => {
      const s = await createTenantWithStaff(t);
      await clearSystem('global');
      const none = await t.http().get(`${BASE}/type/global`).set(bearer(s.candidateTokens)).expect(200);
      expect(none.headers['content-type']).toMatch(/application\/json/);
      expect(none.text).toBe('null');
      const fixed = await t.http().get(`${BASE}/global`).set(bearer(s.adminTokens)).expect(200);
      expect(fixed.text).toBe('null');

      const system = await createConfiguration(t, superTokens, {
        config_type: 'global',
        config_data: globalConfig('audio'),
      });
      const fallback = await t.http().get(`${BASE}/type/global`).set(bearer(s.candidateTokens)).expect(200);
      expect(fallback.body).toMatchObject({
        id: system.id,
        scope: 'system',
        tenant_id: null,
        config_data: globalConfig('audio'),
      });

      const own = await createConfiguration(t, s.adminTokens, {
        config_type: 'global',
        config_data: globalConfig('text'),
      });
      const preferred = await t.http().get(`${BASE}/type/global`).set(bearer(s.candidateTokens)).expect(200);
      expect(preferred.body).toMatchObject({ id: own.id, scope: 'tenant', tenant_id: s.tenant.id });

      // Another tenant's configuration never leaks into this one's effective view.
      await createConfiguration(t, b.adminTokens, { config_type: 'global', config_data: globalConfig('video') });
      expect((await t.http().get(`${BASE}/type/global`).set(bearer(s.proctorTokens)).expect(200)).body.id).toBe(own.id);

      await t.http().delete(`${BASE}/${own.id}`).set(bearer(s.adminTokens)).expect(200);
      const back = await t.http().get(`${BASE}/type/global`).set(bearer(s.candidateTokens)).expect(200);
      expect(back.body.id).toBe(system.id);
    });

    it("tenant_id query: a superadmin reads any tenant's, others only their own (403 otherwise); bad type is 400", async () => {
      const s = await createTenantWithStaff(t);
      const own = await createConfiguration(t, s.adminTokens, { config_type: 'jdt', config_data: jdt() });
      const res = await t
        .http()
        .get(`${BASE}/type/jdt`)
        .query({ tenant_id: s.tenant.id })
        .set(bearer(superTokens))
        .expect(200);
      expect(res.body.id).toBe(own.id);
      const mine = await t
        .http()
        .get(`${BASE}/jdt`)
        .query({ tenant_id: s.tenant.id })
        .set(bearer(s.candidateTokens))
        .expect(200);
      expect(mine.body.id).toBe(own.id);
      const foreign = await t
        .http()
        .get(`${BASE}/type/jdt`)
        .query({ tenant_id: s.tenant.id })
        .set(bearer(b.adminTokens))
        .expect(403);
      expect(foreign.body.code).toBe('FOREIGN_TENANT');
      const bad = await t.http().get(`${BASE}/type/mcq`).set(bearer(s.adminTokens)).expect(400);
      expect(bad.body).toMatchObject({
        code: 'VALIDATION_ERROR',
        errors: [{ field: 'type', message: expect.any(String) }],
      });
      await t.http().get(`${BASE}/type/jdt`).query({ extra: 1 }).set(bearer(s.adminTokens)).expect(400);
    });
  });

  describe('fixed paths /sjt, /jdt, /global', () => {
    it('GET is not shadowed by /{id}: each returns what /type/{type} returns', async () => {
      const s = await createTenantWithStaff(t);
      await createConfiguration(t, s.adminTokens, { config_type: 'sjt', config_data: sjt() });
      await createConfiguration(t, s.adminTokens, { config_type: 'jdt', config_data: jdt() });
      await createConfiguration(t, s.adminTokens, { config_type: 'global', config_data: globalConfig() });
      for (const type of ['sjt', 'jdt', 'global']) {
        for (const tokens of [s.adminTokens, s.candidateTokens]) {
          const fixed = await t.http().get(`${BASE}/${type}`).set(bearer(tokens)).expect(200);
          const byType = await t.http().get(`${BASE}/type/${type}`).set(bearer(tokens)).expect(200);
          expect(fixed.body).toEqual(byType.body);
          expect(fixed.body).toMatchObject({ config_type: type, tenant_id: s.tenant.id });
        }
      }
    });

    it('POST takes the raw configuration as the body: admin → its tenant, superadmin → system; 201', async () => {
      const s = await createTenantWithStaff(t);
      const data = { ...jdt(), extraTopLevel: { kept: true } };
      const res = await t.http().post(`${BASE}/jdt`).set(bearer(s.adminTokens)).send(data).expect(201);
      expect(res.body).toMatchObject({
        tenant_id: s.tenant.id,
        scope: 'tenant',
        config_type: 'jdt',
        config_data: data,
        version: 1,
      });
      const [audit] = await auditRows(t.db, res.body.id, 'configuration.create');
      expect(audit.new_values).toEqual(res.body);

      const sys = await t.http().post(`${BASE}/sjt`).set(bearer(superTokens)).send(sjt()).expect(201);
      expect(sys.body).toMatchObject({ tenant_id: null, scope: 'system', config_type: 'sjt' });
      const forTenant = await t
        .http()
        .post(`${BASE}/global`)
        .query({ tenant_id: s.tenant.id })
        .set(bearer(superTokens))
        .send(globalConfig())
        .expect(201);
      expect(forTenant.body).toMatchObject({ tenant_id: s.tenant.id, scope: 'tenant' });
    });

    it('POST refusals: shape errors name the body path, non-objects 400, admin system/foreign 403, candidates 403', async () => {
      const s = await createTenantWithStaff(t);
      const before = await countRows();
      const shape = await t
        .http()
        .post(`${BASE}/sjt`)
        .set(bearer(s.adminTokens))
        .send({ scenarios: [{ id: 1, situation: 7 }] })
        .expect(400);
      expect(shape.body).toMatchObject({
        code: 'VALIDATION_ERROR',
        errors: [{ field: 'scenarios[0].situation', message: 'must be a string' }],
      });
      const array = await t.http().post(`${BASE}/global`).set(bearer(s.adminTokens)).send([globalConfig()]).expect(400);
      expect(array.body.errors).toEqual([{ field: 'body', message: 'must be a JSON object' }]);
      const empty = await t.http().post(`${BASE}/global`).set(bearer(s.adminTokens)).expect(400);
      expect(empty.body.code).toBe('VALIDATION_ERROR');
      const system = await t
        .http()
        .post(`${BASE}/global`)
        .query({ scope: 'system' })
        .set(bearer(s.adminTokens))
        .send(globalConfig())
        .expect(403);
      expect(system.body.code).toBe('SYSTEM_SCOPE_FORBIDDEN');
      const foreign = await t
        .http()
        .post(`${BASE}/global`)
        .query({ tenant_id: b.tenant.id })
        .set(bearer(s.adminTokens))
        .send(globalConfig())
        .expect(403);
      expect(foreign.body.code).toBe('FOREIGN_TENANT');
      for (const tokens of [s.proctorTokens, s.candidateTokens]) {
        await t.http().post(`${BASE}/sjt`).set(bearer(tokens)).send(sjt()).expect(403);
      }
      await t.http().post(`${BASE}/sjt`).query({ bogus: 1 }).set(bearer(s.adminTokens)).send(sjt()).expect(400);
      expect(await countRows()).toBe(before);
    });

    it('PUT and DELETE on a fixed name are a malformed id (400), not a route to something else', async () => {
      await t.http().put(`${BASE}/sjt`).set(bearer(a.adminTokens)).send({ config_data: sjt() }).expect(400);
      await t.http().delete(`${BASE}/global`).set(bearer(a.adminTokens)).expect(400);
    });
  });

  describe('get by id', () => {
    it('admin: its own and system rows (inactive too); a foreign row is 404 like an unknown one; malformed id 400', async () => {
      const s = await createTenantWithStaff(t);
      const v1 = await createConfiguration(t, s.adminTokens, { config_type: 'sjt', config_data: sjt() });
      await createConfiguration(t, s.adminTokens, { config_type: 'sjt', config_data: sjt('newer') });
      const old = await t.http().get(`${BASE}/${v1.id}`).set(bearer(s.adminTokens)).expect(200);
      expect(old.body).toEqual({ ...v1, is_active: false, updated_at: ISO });
      const system = await createConfiguration(t, superTokens, { config_type: 'sjt', config_data: sjt('system') });
      expect((await t.http().get(`${BASE}/${system.id}`).set(bearer(s.adminTokens)).expect(200)).body.scope).toBe(
        'system',
      );

      const foreign = await t.http().get(`${BASE}/${v1.id}`).set(bearer(b.adminTokens)).expect(404);
      const unknown = await t.http().get(`${BASE}/${UNKNOWN_ID}`).set(bearer(b.adminTokens)).expect(404);
      expect(foreign.body).toMatchObject({ code: 'CONFIGURATION_NOT_FOUND', detail: unknown.body.detail });
      const bad = await t.http().get(`${BASE}/not-a-uuid`).set(bearer(s.adminTokens)).expect(400);
      expect(bad.body.code).toBe('INVALID_ID');
      expect((await t.http().get(`${BASE}/${v1.id}`).set(bearer(superTokens)).expect(200)).body.id).toBe(v1.id);
    });

    it('proctors and candidates: active rows of their tenant or the system, candidate-safe; inactive or foreign 404', async () => {
      const s = await createTenantWithStaff(t);
      const v1 = await createConfiguration(t, s.adminTokens, { config_type: 'sjt', config_data: sjt() });
      for (const tokens of [s.proctorTokens, s.candidateTokens]) {
        const res = await t.http().get(`${BASE}/${v1.id}`).set(bearer(tokens)).expect(200);
        expect(res.body.id).toBe(v1.id);
        expect(res.body.config_data.scenarios[0]).not.toHaveProperty('bestResponseRationale');
      }
      const v2 = await createConfiguration(t, s.adminTokens, { config_type: 'sjt', config_data: sjt('v2') });
      await t.http().get(`${BASE}/${v1.id}`).set(bearer(s.candidateTokens)).expect(404);
      await t.http().get(`${BASE}/${v2.id}`).set(bearer(b.candidateTokens)).expect(404);
      await t.http().get(`${BASE}/${v2.id}`).set(bearer(b.proctorTokens)).expect(404);
    });
  });

  describe('update', () => {
    it("a foreign tenant's configuration is 404 and unchanged (no new version); system rows are 403 for admins", async () => {
      const s = await createTenantWithStaff(t);
      const target = await createConfiguration(t, s.adminTokens, { config_type: 'jdt', config_data: jdt() });
      const before = await dbRow(t.db, 'configurations', target.id);
      const res = await t
        .http()
        .put(`${BASE}/${target.id}`)
        .set(bearer(b.adminTokens))
        .send({ config_data: jdt('hijack') })
        .expect(404);
      expect(res.body.code).toBe('CONFIGURATION_NOT_FOUND');
      expect(await dbRow(t.db, 'configurations', target.id)).toEqual(before);
      expect((await history(s.tenant.id, 'jdt')).map((r: { id: string }) => r.id)).toEqual([target.id]);
      expect(await history(b.tenant.id, 'jdt')).toEqual([]);

      const system = await createConfiguration(t, superTokens, { config_type: 'jdt', config_data: jdt('system') });
      const denied = await t
        .http()
        .put(`${BASE}/${system.id}`)
        .set(bearer(s.adminTokens))
        .send({ config_data: jdt() })
        .expect(403);
      expect(denied.body.code).toBe('SYSTEM_SCOPE_FORBIDDEN');
      expect((await dbRow(t.db, 'configurations', system.id)).is_active).toBe(true);
    });

    it('400 on bad bodies (nothing written), 403 for proctors and candidates, 404 for unknown ids', async () => {
      const s = await createTenantWithStaff(t);
      const target = await createConfiguration(t, s.adminTokens, { config_type: 'sjt', config_data: sjt() });
      const cases: Array<[Record<string, unknown>, string]> = [
        [{}, 'config_data'],
        [{ config_data: [] }, 'config_data'],
        [{ config_data: sjt(), config_type: 'jdt' }, 'config_type'],
        [{ config_data: sjt(), version: 5 }, 'version'],
        [
          { config_data: { scenarios: [{ id: 1, situation: 's', question: false }] } },
          'config_data.scenarios[0].question',
        ],
      ];
      for (const [body, field] of cases) {
        const res = await t.http().put(`${BASE}/${target.id}`).set(bearer(s.adminTokens)).send(body).expect(400);
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      for (const tokens of [s.proctorTokens, s.candidateTokens]) {
        await t.http().put(`${BASE}/${target.id}`).set(bearer(tokens)).send({ config_data: sjt() }).expect(403);
      }
      await t.http().put(`${BASE}/${UNKNOWN_ID}`).set(bearer(s.adminTokens)).send({ config_data: sjt() }).expect(404);
      expect((await history(s.tenant.id, 'sjt')).map((r: { id: string }) => r.id)).toEqual([target.id]);
    });

    it("a superadmin updates any tenant's configuration (a new version in that tenant)", async () => {
      const s = await createTenantWithStaff(t);
      const target = await createConfiguration(t, s.adminTokens, {
        config_type: 'global',
        config_data: globalConfig(),
      });
      const res = await t
        .http()
        .put(`${BASE}/${target.id}`)
        .set(bearer(superTokens))
        .send({ config_data: globalConfig('text') })
        .expect(200);
      expect(res.body).toMatchObject({ tenant_id: s.tenant.id, scope: 'tenant', version: 2, created_by: superadminId });
    });
  });

  describe('delete (deactivate)', () => {
    it('deactivates the version: 200, audited once; repeating is a no-op', async () => {
      const s = await createTenantWithStaff(t);
      const target = await createConfiguration(t, s.adminTokens, { config_type: 'sjt', config_data: sjt() });
      const res = await t.http().delete(`${BASE}/${target.id}`).set(bearer(s.adminTokens)).expect(200);
      expect(res.body).toEqual({ ...target, is_active: false, updated_at: ISO });
      expect(await dbRow(t.db, 'configurations', target.id)).toMatchObject({
        is_active: false,
        config_data: sjt(),
        version: 1,
      });
      const [audit] = await auditRows(t.db, target.id, 'configuration.deactivate');
      expect(audit).toMatchObject({
        user_id: s.admin.id,
        tenant_id: s.tenant.id,
        old_values: { ...target, updated_at: ISO },
        new_values: res.body,
      });
      expect(audit.old_values.is_active).toBe(true);
      const again = await t.http().delete(`${BASE}/${target.id}`).set(bearer(s.adminTokens)).expect(200);
      expect(again.body.is_active).toBe(false);
      expect(await auditRows(t.db, target.id, 'configuration.deactivate')).toHaveLength(1);
      // The next save starts from the highest version, not from 1.
      expect((await createConfiguration(t, s.adminTokens, { config_type: 'sjt', config_data: sjt() })).version).toBe(2);
    });

    it('foreign 404 with the row unchanged; admins 403 on system rows; proctors and candidates 403', async () => {
      const s = await createTenantWithStaff(t);
      const target = await createConfiguration(t, s.adminTokens, { config_type: 'jdt', config_data: jdt() });
      const before = await dbRow(t.db, 'configurations', target.id);
      const res = await t.http().delete(`${BASE}/${target.id}`).set(bearer(b.adminTokens)).expect(404);
      expect(res.body.code).toBe('CONFIGURATION_NOT_FOUND');
      expect(await dbRow(t.db, 'configurations', target.id)).toEqual(before);
      for (const tokens of [s.proctorTokens, s.candidateTokens]) {
        await t.http().delete(`${BASE}/${target.id}`).set(bearer(tokens)).expect(403);
      }
      expect(await dbRow(t.db, 'configurations', target.id)).toEqual(before);
      const system = await createConfiguration(t, superTokens, { config_type: 'jdt', config_data: jdt('system') });
      const denied = await t.http().delete(`${BASE}/${system.id}`).set(bearer(s.adminTokens)).expect(403);
      expect(denied.body.code).toBe('SYSTEM_SCOPE_FORBIDDEN');
      expect((await dbRow(t.db, 'configurations', system.id)).is_active).toBe(true);
      await t.http().delete(`${BASE}/${UNKNOWN_ID}`).set(bearer(s.adminTokens)).expect(404);
    });
  });

  describe('list', () => {
    it('admin: its tenant and system rows, never a foreign one; active only unless include_inactive; X-Total-Count', async () => {
      const s = await createTenantWithStaff(t);
      const old = await createConfiguration(t, s.adminTokens, { config_type: 'sjt', config_data: sjt('old') });
      const current = await createConfiguration(t, s.adminTokens, { config_type: 'sjt', config_data: sjt('current') });
      const jdtRow = await createConfiguration(t, s.adminTokens, { config_type: 'jdt', config_data: jdt() });
      const foreign = await createConfiguration(t, b.adminTokens, { config_type: 'sjt', config_data: sjt('foreign') });
      await createConfiguration(t, superTokens, { config_type: 'sjt', config_data: sjt('system') });

      const res = await t.http().get(BASE).query({ limit: 500 }).set(bearer(s.adminTokens)).expect(200);
      const ids = res.body.map((r: { id: string }) => r.id);
      expect(ids).toEqual(expect.arrayContaining([current.id, jdtRow.id]));
      expect(ids).not.toContain(old.id);
      expect(ids).not.toContain(foreign.id);
      expect(
        res.body.every(
          (r: { tenant_id: string | null; is_active: boolean }) =>
            (r.tenant_id === s.tenant.id || r.tenant_id === null) && r.is_active,
        ),
      ).toBe(true);
      expect(res.body.some((r: { tenant_id: string | null }) => r.tenant_id === null)).toBe(true);
      expect(res.headers['x-total-count']).toBe(String(res.body.length));
      const created = res.body.map((r: { created_at: string }) => r.created_at);
      expect([...created].sort().reverse()).toEqual(created);

      const all = await t
        .http()
        .get(BASE)
        .query({ include_inactive: 'true', config_type: 'sjt', scope: 'tenant' })
        .set(bearer(s.adminTokens))
        .expect(200);
      expect(all.body.map((r: { id: string }) => r.id)).toEqual([current.id, old.id]);
      expect(all.headers['x-total-count']).toBe('2');
      const page = await t
        .http()
        .get(BASE)
        .query({ include_inactive: 'true', config_type: 'sjt', scope: 'tenant', skip: 1, limit: 1 })
        .set(bearer(s.adminTokens))
        .expect(200);
      expect(page.body.map((r: { id: string }) => r.id)).toEqual([old.id]);
      expect(page.headers['x-total-count']).toBe('2');

      const namedForeign = await t
        .http()
        .get(BASE)
        .query({ tenant_id: b.tenant.id })
        .set(bearer(s.adminTokens))
        .expect(200);
      expect(namedForeign.body).toEqual([]);
      expect(namedForeign.headers['x-total-count']).toBe('0');
    });

    it('superadmin: every tenant, with tenant_id / config_type filters', async () => {
      const s = await createTenantWithStaff(t);
      const mine = await createConfiguration(t, s.adminTokens, { config_type: 'global', config_data: globalConfig() });
      const all = await t.http().get(BASE).query({ limit: 500 }).set(bearer(superTokens)).expect(200);
      const tenants = new Set(all.body.map((r: { tenant_id: string | null }) => r.tenant_id));
      expect(tenants.has(s.tenant.id) && tenants.has(b.tenant.id) && tenants.has(null)).toBe(true);
      const filtered = await t
        .http()
        .get(BASE)
        .query({ tenant_id: s.tenant.id, config_type: 'global' })
        .set(bearer(superTokens))
        .expect(200);
      expect(filtered.body).toEqual([mine]);
    });

    it('403 for proctors and candidates; 400 on bad query values', async () => {
      for (const tokens of [a.proctorTokens, a.candidateTokens]) {
        const res = await t.http().get(BASE).set(bearer(tokens)).expect(403);
        expect(res.body.code).toBe('INSUFFICIENT_ROLE');
      }
      for (const query of [
        { include_inactive: 'maybe' },
        { config_type: 'mcq' },
        { scope: 'x' },
        { tenant_id: 'x' },
        { limit: 0 },
        { limit: '1.5' },
        { other: 1 },
      ]) {
        const res = await t.http().get(BASE).query(query).set(bearer(a.adminTokens)).expect(400);
        expect(res.body.code).toBe('VALIDATION_ERROR');
      }
    });
  });

  describe('candidate-safe view', () => {
    it('proctors and candidates never receive an answer key; admins and superadmins do', async () => {
      const s = await createTenantWithStaff(t);
      const sjtRow = await createConfiguration(t, s.adminTokens, { config_type: 'sjt', config_data: sjt() });
      const jdtRow = await createConfiguration(t, s.adminTokens, { config_type: 'jdt', config_data: jdt() });
      const paths = [
        `${BASE}/type/sjt`,
        `${BASE}/sjt`,
        `${BASE}/${sjtRow.id}`,
        `${BASE}/type/jdt`,
        `${BASE}/jdt`,
        `${BASE}/${jdtRow.id}`,
      ];

      for (const tokens of [s.candidateTokens, s.proctorTokens]) {
        for (const path of paths) {
          const res = await t.http().get(path).set(bearer(tokens)).expect(200);
          for (const secret of Object.values(SECRET))
            expect({ path, leaked: res.text.includes(secret) }).toEqual({ path, leaked: false });
          for (const key of HIDDEN_KEYS)
            expect({ path, key, leaked: res.text.includes(`"${key}"`) }).toEqual({ path, key, leaked: false });
        }
      }
      const safe = (await t.http().get(`${BASE}/sjt`).set(bearer(s.candidateTokens)).expect(200)).body;
      expect(safe.config_data.scenarios[0]).toEqual({
        id: 1726480000000.123,
        name: '',
        situation: 'A customer is angry about a late delivery.',
        question: 'What do you do?',
        assessedCompetency: 'Customer Focus, Ownership',
        prepTimeSeconds: 10,
        answerTimeSeconds: 90,
        reRecordLimit: 1,
        ttsVoice: '',
      });
      expect(safe.config_data.scenarios[1]).toEqual({
        id: 'scenario2',
        situation: 'Multiple choice leftover',
        question: 'Pick one',
        options: [{ id: 'A', text: 'Apologise' }],
      });
      expect(safe.config_data.settings).toEqual(sjt().settings);
      expect(safe.config_data.uiTheme).toEqual(sjt().uiTheme);
      const safeJdt = (await t.http().get(`${BASE}/jdt`).set(bearer(s.candidateTokens)).expect(200)).body;
      expect(safeJdt.config_data.roles[0].questions[0]).toEqual({
        id: 1726480000002,
        text: 'Tell me about a hard bug',
        competency: 'Technical Knowledge',
      });

      for (const tokens of [s.adminTokens, superTokens]) {
        // A superadmin's own tenant is System: name the tenant on the effective-configuration paths.
        for (const path of paths.map((p) =>
          tokens === superTokens && !p.includes(sjtRow.id) && !p.includes(jdtRow.id)
            ? `${p}?tenant_id=${s.tenant.id}`
            : p,
        )) {
          const res = await t.http().get(path).set(bearer(tokens)).expect(200);
          const expected =
            path.includes('sjt') || path.includes(sjtRow.id)
              ? [SECRET.best, SECRET.worst, SECRET.privateNote, SECRET.correct]
              : [SECRET.preferred];
          for (const secret of expected)
            expect({ path, present: res.text.includes(secret) }).toEqual({ path, present: true });
        }
      }
      // The stored row keeps the answer key; only the view is filtered.
      expect((await dbRow(t.db, 'configurations', sjtRow.id)).config_data).toEqual(sjt());
    });

    it('the system fallback is candidate-safe too', async () => {
      const s = await createTenantWithStaff(t);
      await clearSystem('jdt');
      await createConfiguration(t, superTokens, { config_type: 'jdt', config_data: jdt('System role') });
      const res = await t.http().get(`${BASE}/type/jdt`).set(bearer(s.candidateTokens)).expect(200);
      expect(res.body.scope).toBe('system');
      expect(res.text).not.toContain(SECRET.preferred);
      expect(res.text).not.toContain('preferredAnswer');
    });
  });
});
