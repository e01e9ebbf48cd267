import { SYSTEM_TENANT_ID } from '../../src/domain/tenancy';
import { bearer, createTenantWithStaff, Tokens } from '../setup/factories';
import { auditRows, dbRow, setupTwoTenants, Staff } from '../setup/fixtures';
import { createTestApp, TestApp } from '../setup/test-app';
import { ISO, UUID } from '../setup/matchers';

const UNKNOWN_ID = '6a1e0f52-4444-4444-8444-444444444444';
const BASE = '/api/v1/competencies';
let seq = 0;
const uniqueCode = (prefix = 'COMP') => `${prefix}_${Date.now().toString(36)}_${++seq}`;

describe('Competencies API', () => {
  let t: TestApp;
  let a: Staff;
  let b: Staff;
  let superTokens: Tokens;
  let superadminId: string;

  const rowsWithCode = (tenantId: string, code: string) =>
    t.db.query(`SELECT * FROM competency_dictionaries WHERE tenant_id = $1 AND lower(competency_code) = lower($2)`, [
      tenantId,
      code,
    ]);
  const countRows = async () =>
    (await t.db.query(`SELECT count(*)::int AS n FROM competency_dictionaries`))[0].n as number;
  const create = async (tokens: Tokens, body: Record<string, unknown> = {}) =>
    (
      await t
        .http()
        .post(BASE)
        .set(bearer(tokens))
        .send({ competency_code: uniqueCode(), competency_name: 'Customer Focus', ...body })
        .expect(201)
    ).body;
  const path = (code: string) => `${BASE}/${encodeURIComponent(code)}`;

  beforeAll(async () => {
    t = await createTestApp();
    ({ a, b, superTokens, superadminId } = await setupTwoTenants(t));
  });
  afterAll(() => t.close());

  it('401 without a token on every route', async () => {
    const routes: Array<['get' | 'post' | 'put' | 'delete', string]> = [
      ['get', BASE],
      ['post', BASE],
      ['get', `${BASE}/CODE`],
      ['put', `${BASE}/CODE`],
      ['delete', `${BASE}/CODE`],
    ];
    for (const [method, url] of routes) {
      const res = await t.http()[method](url).send({}).expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
  });

  describe('create', () => {
    it('admin: 201 with every field, code trimmed, in its own tenant, audited', async () => {
      const code = uniqueCode('CUST');
      const body = {
        competency_code: `  ${code}  `,
        competency_name: ' Customer Focus ',
        competency_description: 'Puts the customer first.\nAlways.',
        meta_competency: 'Interpersonal',
        translations: { fr: { competency_name: 'Orientation client' }, de: { competency_name: 'Kundenorientierung' } },
        category: 'Behavioural',
        industry: 'Retail',
        role_category: 'Sales',
      };
      const res = await t.http().post(BASE).set(bearer(a.adminTokens)).send(body).expect(201);
      expect(res.body).toEqual({
        id: UUID,
        tenant_id: a.tenant.id,
        competency_code: code,
        competency_name: 'Customer Focus',
        competency_description: body.competency_description,
        meta_competency: 'Interpersonal',
        translations: body.translations,
        category: 'Behavioural',
        industry: 'Retail',
        role_category: 'Sales',
        is_active: true,
        created_at: ISO,
        updated_at: ISO,
      });
      const [stored] = await rowsWithCode(a.tenant.id, code);
      expect(stored).toMatchObject({ id: res.body.id, competency_code: code, translations: body.translations });
      const [audit] = await auditRows(t.db, res.body.id, 'competency.create');
      expect(audit).toMatchObject({
        user_id: a.admin.id,
        tenant_id: a.tenant.id,
        resource_type: 'competency',
        old_values: null,
        new_values: res.body,
        request_id: res.headers['x-request-id'],
      });
    });

    it('minimal body: optional fields null, active by default; is_active false is honoured', async () => {
      const created = await create(a.adminTokens);
      expect(created).toMatchObject({
        competency_description: null,
        meta_competency: null,
        translations: null,
        category: null,
        industry: null,
        role_category: null,
        is_active: true,
      });
      expect((await create(a.adminTokens, { is_active: false })).is_active).toBe(false);
    });

    it('409 "Competency code already exists" on a duplicate in the tenant, case-insensitively; other tenants are free', async () => {
      const code = uniqueCode('Dup');
      await create(a.adminTokens, { competency_code: code });
      for (const variant of [code, code.toUpperCase(), code.toLowerCase(), `  ${code.toLowerCase()} `]) {
        const res = await t
          .http()
          .post(BASE)
          .set(bearer(a.adminTokens))
          .send({ competency_code: variant, competency_name: 'x' })
          .expect(409);
        expect(res.body).toMatchObject({ code: 'COMPETENCY_CODE_TAKEN', detail: 'Competency code already exists' });
      }
      expect(await rowsWithCode(a.tenant.id, code)).toHaveLength(1);
      const other = await create(b.adminTokens, { competency_code: code.toUpperCase() });
      expect(other.tenant_id).toBe(b.tenant.id);
    });

    it('parallel creates of one code (different cases): exactly one 201, the rest 409', async () => {
      const code = uniqueCode('Race');
      const variants = [code, code.toUpperCase(), code.toLowerCase(), code, code.toUpperCase(), code.toLowerCase()];
      const results = await Promise.all(
        variants.map((variant) =>
          t.http().post(BASE).set(bearer(a.adminTokens)).send({ competency_code: variant, competency_name: 'x' }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
      expect(results.filter((r) => r.status === 409).every((r) => r.body.code === 'COMPETENCY_CODE_TAKEN')).toBe(true);
      expect(await rowsWithCode(a.tenant.id, code)).toHaveLength(1);
    });

    it('superadmin: System tenant by default, any tenant with tenant_id, 404 for an unknown tenant', async () => {
      const system = await create(superTokens);
      expect(system.tenant_id).toBe(SYSTEM_TENANT_ID);
      const [audit] = await auditRows(t.db, system.id, 'competency.create');
      expect(audit).toMatchObject({ user_id: superadminId, tenant_id: SYSTEM_TENANT_ID });
      const forB = await create(superTokens, { tenant_id: b.tenant.id });
      expect(forB.tenant_id).toBe(b.tenant.id);
      const before = await countRows();
      const unknown = await t
        .http()
        .post(BASE)
        .set(bearer(superTokens))
        .send({ competency_code: uniqueCode(), competency_name: 'x', tenant_id: UNKNOWN_ID })
        .expect(404);
      expect(unknown.body.code).toBe('TENANT_NOT_FOUND');
      expect(await countRows()).toBe(before);
    });

    it('admin: a foreign tenant_id is 403 (nothing inserted), its own is fine', async () => {
      const code = uniqueCode('Foreign');
      const res = await t
        .http()
        .post(BASE)
        .set(bearer(a.adminTokens))
        .send({ competency_code: code, competency_name: 'x', tenant_id: b.tenant.id })
        .expect(403);
      expect(res.body.code).toBe('FOREIGN_TENANT');
      expect(await rowsWithCode(b.tenant.id, code)).toHaveLength(0);
      expect(await rowsWithCode(a.tenant.id, code)).toHaveLength(0);
      expect((await create(a.adminTokens, { tenant_id: a.tenant.id })).tenant_id).toBe(a.tenant.id);
    });

    it('403 for proctors and candidates', async () => {
      for (const tokens of [a.proctorTokens, a.candidateTokens]) {
        const res = await t
          .http()
          .post(BASE)
          .set(bearer(tokens))
          .send({ competency_code: uniqueCode(), competency_name: 'x' })
          .expect(403);
        expect(res.body.code).toBe('INSUFFICIENT_ROLE');
      }
    });

    it('400 on invalid bodies, nothing inserted', async () => {
      const before = await countRows();
      const code = uniqueCode('Bad');
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ competency_name: 'x' }, 'competency_code'],
        [{ competency_code: '   ', competency_name: 'x' }, 'competency_code'],
        [{ competency_code: 'x'.repeat(101), competency_name: 'x' }, 'competency_code'],
        [{ competency_code: 'A\nB', competency_name: 'x' }, 'competency_code'],
        [{ competency_code: 42, competency_name: 'x' }, 'competency_code'],
        [{ competency_code: code }, 'competency_name'],
        [{ competency_code: code, competency_name: '' }, 'competency_name'],
        [{ competency_code: code, competency_name: 'x'.repeat(256) }, 'competency_name'],
        [{ competency_code: code, competency_name: 'x', translations: ['fr'] }, 'translations'],
        [{ competency_code: code, competency_name: 'x', translations: { fr: 'a\u0000b' } }, 'translations.fr'],
        [{ competency_code: code, competency_name: 'x', translations: { blob: 'x'.repeat(70_000) } }, 'translations'],
        [{ competency_code: code, competency_name: 'x', competency_description: 'a\u0000b' }, 'competency_description'],
        [{ competency_code: code, competency_name: 'x', category: 'x'.repeat(101) }, 'category'],
        [{ competency_code: code, competency_name: 'x', is_active: 'yes' }, 'is_active'],
        [{ competency_code: code, competency_name: 'x', tenant_id: 'nope' }, 'tenant_id'],
        [{ competency_code: code, competency_name: 'x', max_score: 10 }, 'max_score'],
        [{ competency_code: code, competency_name: 'x', id: UNKNOWN_ID }, 'id'],
      ];
      for (const [body, field] of cases) {
        const res = await t.http().post(BASE).set(bearer(a.adminTokens)).send(body);
        expect({ body, status: res.status }).toEqual({ body, status: 400 });
        expect(res.body.code).toBe('VALIDATION_ERROR');
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      expect(await countRows()).toBe(before);
    });
  });

  describe('list', () => {
    it('everyone but a superadmin lists its own tenant only, by code; X-Total-Count; skip/limit', async () => {
      const s = await createTenantWithStaff(t);
      const c2 = await create(s.adminTokens, { competency_code: 'beta' });
      const c1 = await create(s.adminTokens, { competency_code: 'Alpha' });
      const c3 = await create(s.adminTokens, { competency_code: 'GAMMA' });
      await create(b.adminTokens, { competency_code: 'alpha' });
      for (const tokens of [s.adminTokens, s.proctorTokens, s.candidateTokens]) {
        const res = await t.http().get(BASE).set(bearer(tokens)).expect(200);
        expect(res.body).toEqual([c1, c2, c3]);
        expect(res.headers['x-total-count']).toBe('3');
      }
      const page = await t.http().get(BASE).query({ skip: 1, limit: 1 }).set(bearer(s.adminTokens)).expect(200);
      expect(page.body).toEqual([c2]);
      expect(page.headers['x-total-count']).toBe('3');
      const foreign = await t.http().get(BASE).query({ tenant_id: b.tenant.id }).set(bearer(s.adminTokens)).expect(200);
      expect(foreign.body).toEqual([]);
    });

    it('inactive entries: only with include_inactive, and only for admins and superadmins', async () => {
      const s = await createTenantWithStaff(t);
      const active = await create(s.adminTokens, { competency_code: 'a-active' });
      const inactive = await create(s.adminTokens, { competency_code: 'b-inactive', is_active: false });
      expect((await t.http().get(BASE).set(bearer(s.adminTokens)).expect(200)).body).toEqual([active]);
      expect(
        (await t.http().get(BASE).query({ include_inactive: 'true' }).set(bearer(s.adminTokens)).expect(200)).body,
      ).toEqual([active, inactive]);
      for (const tokens of [s.proctorTokens, s.candidateTokens]) {
        const res = await t.http().get(BASE).query({ include_inactive: 'true' }).set(bearer(tokens)).expect(200);
        expect(res.body).toEqual([active]);
      }
    });

    it('superadmin: every tenant, or one with tenant_id', async () => {
      const s = await createTenantWithStaff(t);
      const mine = await create(s.adminTokens);
      const all = await t.http().get(BASE).query({ limit: 500 }).set(bearer(superTokens)).expect(200);
      const tenants = new Set(all.body.map((r: { tenant_id: string }) => r.tenant_id));
      expect(tenants.has(s.tenant.id) && tenants.has(a.tenant.id) && tenants.has(b.tenant.id)).toBe(true);
      const one = await t.http().get(BASE).query({ tenant_id: s.tenant.id }).set(bearer(superTokens)).expect(200);
      expect(one.body).toEqual([mine]);
    });

    it('400 on bad query values', async () => {
      for (const query of [{ include_inactive: 'maybe' }, { tenant_id: 'x' }, { limit: 0 }, { search: 'x' }]) {
        const res = await t.http().get(BASE).query(query).set(bearer(a.adminTokens)).expect(400);
        expect(res.body.code).toBe('VALIDATION_ERROR');
      }
    });
  });

  describe('get by code', () => {
    it("case-insensitive, in the caller's tenant; codes with spaces and slashes work URL-encoded", async () => {
      const created = await create(a.adminTokens, { competency_code: `Team Work/${uniqueCode()}` });
      for (const variant of [
        created.competency_code,
        created.competency_code.toUpperCase(),
        created.competency_code.toLowerCase(),
      ]) {
        for (const tokens of [a.adminTokens, a.proctorTokens, a.candidateTokens]) {
          const res = await t.http().get(path(variant)).set(bearer(tokens)).expect(200);
          expect(res.body).toEqual(created);
        }
      }
    });

    it("a foreign tenant's code is 404 (never another tenant's row); naming a foreign tenant_id is 404 too", async () => {
      const code = uniqueCode('OnlyInB');
      await create(b.adminTokens, { competency_code: code });
      const res = await t.http().get(path(code)).set(bearer(a.adminTokens)).expect(404);
      expect(res.body).toMatchObject({ code: 'COMPETENCY_NOT_FOUND', detail: 'Competency not found' });
      await t.http().get(path(code)).set(bearer(a.candidateTokens)).expect(404);
      await t.http().get(path(code)).query({ tenant_id: b.tenant.id }).set(bearer(a.adminTokens)).expect(404);
    });

    it('the same code in two tenants: each caller gets its own row', async () => {
      const code = uniqueCode('Shared');
      const inA = await create(a.adminTokens, { competency_code: code, competency_name: 'A version' });
      const inB = await create(b.adminTokens, { competency_code: code.toLowerCase(), competency_name: 'B version' });
      expect((await t.http().get(path(code)).set(bearer(a.candidateTokens)).expect(200)).body.id).toBe(inA.id);
      expect((await t.http().get(path(code)).set(bearer(b.candidateTokens)).expect(200)).body.id).toBe(inB.id);
    });

    it('superadmin: System tenant unless tenant_id names another', async () => {
      const code = uniqueCode('SA');
      const inA = await create(a.adminTokens, { competency_code: code });
      await t.http().get(path(code)).set(bearer(superTokens)).expect(404);
      expect(
        (await t.http().get(path(code)).query({ tenant_id: a.tenant.id }).set(bearer(superTokens)).expect(200)).body,
      ).toEqual(inA);
      const system = await create(superTokens, { competency_code: code });
      expect((await t.http().get(path(code)).set(bearer(superTokens)).expect(200)).body.id).toBe(system.id);
    });

    it('inactive entries: visible to admins, 404 for proctors and candidates; an over-long code is 400', async () => {
      const created = await create(a.adminTokens, { is_active: false });
      expect(
        (await t.http().get(path(created.competency_code)).set(bearer(a.adminTokens)).expect(200)).body.is_active,
      ).toBe(false);
      for (const tokens of [a.proctorTokens, a.candidateTokens]) {
        await t.http().get(path(created.competency_code)).set(bearer(tokens)).expect(404);
      }
      const long = await t
        .http()
        .get(path('x'.repeat(101)))
        .set(bearer(a.adminTokens))
        .expect(400);
      expect(long.body.code).toBe('VALIDATION_ERROR');
      await t.http().get(path('nothing-here')).set(bearer(a.adminTokens)).expect(404);
    });
  });

  describe('update', () => {
    it('changes the given fields (null clears), audited with old and new values', async () => {
      const created = await create(a.adminTokens, { category: 'Old', industry: 'Retail' });
      const res = await t
        .http()
        .put(path(created.competency_code.toLowerCase()))
        .set(bearer(a.adminTokens))
        .send({
          competency_name: 'Renamed',
          category: 'New',
          industry: null,
          translations: { fr: { competency_name: 'x' } },
        })
        .expect(200);
      expect(res.body).toEqual({
        ...created,
        competency_name: 'Renamed',
        category: 'New',
        industry: null,
        translations: { fr: { competency_name: 'x' } },
        updated_at: ISO,
      });
      expect(await dbRow(t.db, 'competency_dictionaries', created.id)).toMatchObject({
        competency_name: 'Renamed',
        category: 'New',
        industry: null,
      });
      const [audit] = await auditRows(t.db, created.id, 'competency.update');
      expect(audit).toMatchObject({
        user_id: a.admin.id,
        tenant_id: a.tenant.id,
        old_values: created,
        new_values: res.body,
      });
    });

    it('an unchanged body writes nothing and audits nothing', async () => {
      const created = await create(a.adminTokens, { category: 'Same' });
      const res = await t
        .http()
        .put(path(created.competency_code))
        .set(bearer(a.adminTokens))
        .send({ category: 'Same' })
        .expect(200);
      expect(res.body).toEqual(created);
      expect(await auditRows(t.db, created.id, 'competency.update')).toHaveLength(0);
    });

    it('renaming the code: to a taken one (any case) is 409, a case-only change is fine', async () => {
      const taken = await create(a.adminTokens);
      const created = await create(a.adminTokens);
      const clash = await t
        .http()
        .put(path(created.competency_code))
        .set(bearer(a.adminTokens))
        .send({ competency_code: taken.competency_code.toLowerCase() })
        .expect(409);
      expect(clash.body).toMatchObject({ code: 'COMPETENCY_CODE_TAKEN', detail: 'Competency code already exists' });
      expect((await dbRow(t.db, 'competency_dictionaries', created.id)).competency_code).toBe(created.competency_code);
      const recased = await t
        .http()
        .put(path(created.competency_code))
        .set(bearer(a.adminTokens))
        .send({ competency_code: created.competency_code.toLowerCase() })
        .expect(200);
      expect(recased.body.competency_code).toBe(created.competency_code.toLowerCase());
    });

    it("a foreign tenant's code is 404 with its row unchanged; 403 for proctors and candidates; 400 on bad bodies", async () => {
      const target = await create(b.adminTokens);
      const before = await dbRow(t.db, 'competency_dictionaries', target.id);
      const res = await t
        .http()
        .put(path(target.competency_code))
        .set(bearer(a.adminTokens))
        .send({ competency_name: 'hijack' })
        .expect(404);
      expect(res.body.code).toBe('COMPETENCY_NOT_FOUND');
      await t
        .http()
        .put(path(target.competency_code))
        .query({ tenant_id: b.tenant.id })
        .set(bearer(a.adminTokens))
        .send({ competency_name: 'hijack' })
        .expect(404);
      expect(await dbRow(t.db, 'competency_dictionaries', target.id)).toEqual(before);

      const own = await create(a.adminTokens);
      for (const tokens of [a.proctorTokens, a.candidateTokens]) {
        await t.http().put(path(own.competency_code)).set(bearer(tokens)).send({ competency_name: 'x' }).expect(403);
      }
      for (const body of [
        { tenant_id: b.tenant.id },
        { competency_name: null },
        { competency_code: '' },
        { is_active: null },
        { weight: 1 },
      ]) {
        const bad = await t.http().put(path(own.competency_code)).set(bearer(a.adminTokens)).send(body).expect(400);
        expect(bad.body.code).toBe('VALIDATION_ERROR');
      }
      expect(await dbRow(t.db, 'competency_dictionaries', own.id)).toMatchObject({
        competency_name: own.competency_name,
        tenant_id: a.tenant.id,
      });
    });

    it('a superadmin updates in the tenant named by tenant_id', async () => {
      const target = await create(b.adminTokens);
      const res = await t
        .http()
        .put(path(target.competency_code))
        .query({ tenant_id: b.tenant.id })
        .set(bearer(superTokens))
        .send({ meta_competency: 'Leadership' })
        .expect(200);
      expect(res.body).toMatchObject({ id: target.id, meta_competency: 'Leadership' });
    });
  });

  describe('delete', () => {
    it('deactivates by default (200, audited once; repeating is a no-op)', async () => {
      const created = await create(a.adminTokens);
      const res = await t
        .http()
        .delete(path(created.competency_code.toUpperCase()))
        .set(bearer(a.adminTokens))
        .expect(200);
      expect(res.body).toEqual({ ...created, is_active: false, updated_at: ISO });
      expect((await dbRow(t.db, 'competency_dictionaries', created.id)).is_active).toBe(false);
      const [audit] = await auditRows(t.db, created.id, 'competency.deactivate');
      expect(audit).toMatchObject({
        user_id: a.admin.id,
        tenant_id: a.tenant.id,
        old_values: created,
        new_values: res.body,
      });
      await t.http().delete(path(created.competency_code)).set(bearer(a.adminTokens)).expect(200);
      expect(await auditRows(t.db, created.id, 'competency.deactivate')).toHaveLength(1);
      // The code stays taken while the entry exists, active or not.
      await t
        .http()
        .post(BASE)
        .set(bearer(a.adminTokens))
        .send({ competency_code: created.competency_code, competency_name: 'x' })
        .expect(409);
    });

    it('?hard=true removes the row (audited with its last values); the code is free again', async () => {
      const created = await create(a.adminTokens);
      const res = await t
        .http()
        .delete(path(created.competency_code))
        .query({ hard: 'true' })
        .set(bearer(a.adminTokens))
        .expect(200);
      expect(res.body).toEqual(created);
      expect(await dbRow(t.db, 'competency_dictionaries', created.id)).toBeUndefined();
      const [audit] = await auditRows(t.db, created.id, 'competency.delete');
      expect(audit).toMatchObject({
        user_id: a.admin.id,
        tenant_id: a.tenant.id,
        old_values: created,
        new_values: null,
      });
      await t.http().get(path(created.competency_code)).set(bearer(a.adminTokens)).expect(404);
      await create(a.adminTokens, { competency_code: created.competency_code });
    });

    it("a foreign tenant's code is 404 with its row unchanged; 403 for proctors and candidates; 400 on bad hard", async () => {
      const target = await create(b.adminTokens);
      const before = await dbRow(t.db, 'competency_dictionaries', target.id);
      for (const query of [{}, { hard: 'true' }, { hard: 'true', tenant_id: b.tenant.id }]) {
        const res = await t
          .http()
          .delete(path(target.competency_code))
          .query(query)
          .set(bearer(a.adminTokens))
          .expect(404);
        expect(res.body.code).toBe('COMPETENCY_NOT_FOUND');
      }
      expect(await dbRow(t.db, 'competency_dictionaries', target.id)).toEqual(before);
      for (const tokens of [b.proctorTokens, b.candidateTokens]) {
        await t.http().delete(path(target.competency_code)).query({ hard: 'true' }).set(bearer(tokens)).expect(403);
      }
      expect(await dbRow(t.db, 'competency_dictionaries', target.id)).toEqual(before);
      await t
        .http()
        .delete(path(target.competency_code))
        .query({ hard: 'maybe' })
        .set(bearer(b.adminTokens))
        .expect(400);
      expect(await dbRow(t.db, 'competency_dictionaries', target.id)).toEqual(before);
    });
  });
});
