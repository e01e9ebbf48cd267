import { SYSTEM_TENANT_ID } from '../../src/domain/tenancy';
import {
  bearer,
  createTenant,
  createTenantWithStaff,
  createUser,
  DEFAULT_PASSWORD,
  loginAs,
  Tokens,
} from '../setup/factories';
import { auditRows, setupTwoTenants, Staff } from '../setup/fixtures';
import { createTestApp, TestApp } from '../setup/test-app';
import { ISO, UUID } from '../setup/matchers';

const UNKNOWN_ID = '6a1e0f52-2222-4222-8222-222222222222';
let seq = 0;
const uniqueName = (prefix = 'Company') => `${prefix} ${Date.now().toString(36)}-${++seq}`;

describe('Tenants API', () => {
  let t: TestApp;
  let a: Staff;
  let b: Staff;
  let superTokens: Tokens;
  let superadminId: string;

  const tenantRow = async (id: string) =>
    (
      await t.db.query(
        `SELECT id, name, logo_url, custom_branding, max_test_attempts, allowed_test_types, is_active, created_at, updated_at
           FROM tenants WHERE id = $1`,
        [id],
      )
    )[0];
  const countTenantsNamed = async (name: string) =>
    (await t.db.query(`SELECT count(*)::int AS n FROM tenants WHERE lower(name) = lower($1)`, [name]))[0].n;
  const createViaApi = async (body: Record<string, unknown> = {}) =>
    (
      await t
        .http()
        .post('/api/v1/tenants')
        .set(bearer(superTokens))
        .send({ name: uniqueName(), ...body })
        .expect(201)
    ).body;

  beforeAll(async () => {
    t = await createTestApp();
    ({ a, b, superTokens, superadminId } = await setupTwoTenants(t));
  });
  afterAll(() => t.close());

  it('401 without a token on every route', async () => {
    const routes: Array<['get' | 'post' | 'put' | 'delete', string]> = [
      ['get', '/api/v1/tenants'],
      ['post', '/api/v1/tenants'],
      ['get', `/api/v1/tenants/${a.tenant.id}`],
      ['put', `/api/v1/tenants/${a.tenant.id}`],
      ['delete', `/api/v1/tenants/${a.tenant.id}`],
      ['get', `/api/v1/tenants/${a.tenant.id}/users`],
      ['post', `/api/v1/tenants/${a.tenant.id}/users`],
      ['get', `/api/v1/tenants/${a.tenant.id}/statistics`],
    ];
    for (const [method, path] of routes) {
      const res = await t.http()[method](path).expect(401);
      expect(res.headers['www-authenticate']).toBe('Bearer');
    }
  });

  describe('list', () => {
    it('superadmin: every tenant, newest first, total in X-Total-Count', async () => {
      const res = await t.http().get('/api/v1/tenants').query({ limit: 500 }).set(bearer(superTokens)).expect(200);
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM tenants`);
      expect(res.headers['x-total-count']).toBe(String(n));
      expect(res.body).toHaveLength(n);
      const ids = res.body.map((row: { id: string }) => row.id);
      expect(ids).toEqual(expect.arrayContaining([SYSTEM_TENANT_ID, a.tenant.id, b.tenant.id]));
      const created = res.body.map((row: { created_at: string }) => row.created_at);
      expect([...created].sort().reverse()).toEqual(created);
      const mine = res.body.find((row: { id: string }) => row.id === a.tenant.id);
      expect(mine).toEqual({
        id: a.tenant.id,
        name: a.tenant.name,
        logo_url: null,
        custom_branding: null,
        max_test_attempts: 3,
        allowed_test_types: ['JDT', 'SJT'],
        is_active: true,
        created_at: ISO,
        updated_at: ISO,
      });
    });

    it('active_only=true leaves out deactivated tenants; skip/limit page', async () => {
      const inactive = await createTenant(t.db, { is_active: false });
      const all = await t.http().get('/api/v1/tenants').query({ limit: 500 }).set(bearer(superTokens)).expect(200);
      expect(all.body.map((row: { id: string }) => row.id)).toContain(inactive.id);
      const active = await t
        .http()
        .get('/api/v1/tenants')
        .query({ active_only: 'true', limit: 500 })
        .set(bearer(superTokens))
        .expect(200);
      expect(active.body.map((row: { id: string }) => row.id)).not.toContain(inactive.id);
      expect(active.body.every((row: { is_active: boolean }) => row.is_active)).toBe(true);
      expect(Number(active.headers['x-total-count'])).toBe(Number(all.headers['x-total-count']) - 1);

      const page = await t
        .http()
        .get('/api/v1/tenants')
        .query({ skip: 1, limit: 1 })
        .set(bearer(superTokens))
        .expect(200);
      expect(page.body).toEqual([all.body[1]]);
      expect(page.headers['x-total-count']).toBe(all.headers['x-total-count']);
    });

    it('403 for admins, proctors and candidates', async () => {
      for (const tokens of [a.adminTokens, a.proctorTokens, a.candidateTokens]) {
        const res = await t.http().get('/api/v1/tenants').set(bearer(tokens)).expect(403);
        expect(res.body.code).toBe('INSUFFICIENT_ROLE');
      }
    });

    it('400 on bad query values', async () => {
      for (const query of [{ active_only: 'maybe' }, { limit: '0' }, { skip: '-5' }, { name: 'x' }]) {
        const res = await t.http().get('/api/v1/tenants').query(query).set(bearer(superTokens)).expect(400);
        expect(res.body.code).toBe('VALIDATION_ERROR');
      }
    });
  });

  describe('create', () => {
    it('201 with defaults, audited', async () => {
      const name = uniqueName('Acme');
      const res = await t
        .http()
        .post('/api/v1/tenants')
        .set(bearer(superTokens))
        .send({ name: `  ${name}  ` })
        .expect(201);
      expect(res.body).toEqual({
        id: UUID,
        name,
        logo_url: null,
        custom_branding: null,
        max_test_attempts: 3,
        allowed_test_types: ['JDT', 'SJT'],
        is_active: true,
        created_at: ISO,
        updated_at: ISO,
      });
      const row = await tenantRow(res.body.id);
      expect(row).toMatchObject({ name, max_test_attempts: 3, allowed_test_types: ['JDT', 'SJT'], is_active: true });

      const [audit] = await auditRows(t.db, res.body.id, 'tenant.create');
      expect(audit).toMatchObject({
        user_id: superadminId,
        tenant_id: res.body.id,
        resource_type: 'tenant',
        old_values: null,
        new_values: res.body,
        request_id: res.headers['x-request-id'],
      });
    });

    it('stores every typed field; test types are upper-cased', async () => {
      const body = {
        name: uniqueName('Branded'),
        logo_url: 'https://cdn.example.com/logo.png',
        custom_branding: { primary: '#ff0000', texts: { welcome: 'Hi' } },
        max_test_attempts: 7,
        allowed_test_types: ['sjt'],
      };
      const res = await t.http().post('/api/v1/tenants').set(bearer(superTokens)).send(body).expect(201);
      expect(res.body).toMatchObject({ ...body, allowed_test_types: ['SJT'] });
      expect(await tenantRow(res.body.id)).toMatchObject({
        custom_branding: body.custom_branding,
        max_test_attempts: 7,
        allowed_test_types: ['SJT'],
      });
    });

    it('409 on a duplicate name, case-insensitively; nothing inserted', async () => {
      const res = await t
        .http()
        .post('/api/v1/tenants')
        .set(bearer(superTokens))
        .send({ name: a.tenant.name.toUpperCase() })
        .expect(409);
      expect(res.body).toMatchObject({ code: 'TENANT_NAME_TAKEN', detail: 'Tenant with this name already exists' });
      expect(await countTenantsNamed(a.tenant.name)).toBe(1);
    });

    it('400 on invalid bodies, nothing inserted', async () => {
      const name = uniqueName('Invalid');
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ name, domain: 'x.com' }, 'domain'],
        [{ name, id: UNKNOWN_ID }, 'id'],
        [{ name, is_active: false }, 'is_active'],
        [{ name: '   ' }, 'name'],
        [{}, 'name'],
        [{ name, max_test_attempts: 0 }, 'max_test_attempts'],
        [{ name, max_test_attempts: 1001 }, 'max_test_attempts'],
        [{ name, max_test_attempts: '3' }, 'max_test_attempts'],
        [{ name, allowed_test_types: [] }, 'allowed_test_types'],
        [{ name, allowed_test_types: ['XYZ'] }, 'allowed_test_types'],
        [{ name, allowed_test_types: ['JDT', 'jdt'] }, 'allowed_test_types'],
        [{ name, allowed_test_types: 'JDT' }, 'allowed_test_types'],
        [{ name, custom_branding: ['red'] }, 'custom_branding'],
        [{ name, custom_branding: { blob: 'x'.repeat(20_000) } }, 'custom_branding'],
        [{ name, logo_url: 'javascript:alert(1)' }, 'logo_url'],
      ];
      for (const [body, field] of cases) {
        const res = await t.http().post('/api/v1/tenants').set(bearer(superTokens)).send(body).expect(400);
        expect(res.body.code).toBe('VALIDATION_ERROR');
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      }
      expect(await countTenantsNamed(name)).toBe(0);
    });

    it('403 for an admin, nothing inserted', async () => {
      const name = uniqueName('Sneaky');
      await t.http().post('/api/v1/tenants').set(bearer(a.adminTokens)).send({ name }).expect(403);
      expect(await countTenantsNamed(name)).toBe(0);
    });
  });

  describe('get', () => {
    it('superadmin reads any tenant; an admin its own', async () => {
      const sa = await t.http().get(`/api/v1/tenants/${b.tenant.id}`).set(bearer(superTokens)).expect(200);
      expect(sa.body).toMatchObject({ id: b.tenant.id, name: b.tenant.name });
      const own = await t.http().get(`/api/v1/tenants/${a.tenant.id}`).set(bearer(a.adminTokens)).expect(200);
      const row = await tenantRow(a.tenant.id);
      expect(own.body).toEqual({
        id: a.tenant.id,
        name: a.tenant.name,
        logo_url: null,
        custom_branding: null,
        max_test_attempts: 3,
        allowed_test_types: ['JDT', 'SJT'],
        is_active: true,
        created_at: row.created_at.toISOString(),
        updated_at: row.updated_at.toISOString(),
      });
    });

    it('an admin asking for another tenant gets 404, exactly like an unknown one', async () => {
      const foreign = await t.http().get(`/api/v1/tenants/${b.tenant.id}`).set(bearer(a.adminTokens)).expect(404);
      const unknown = await t.http().get(`/api/v1/tenants/${UNKNOWN_ID}`).set(bearer(superTokens)).expect(404);
      expect(foreign.body.code).toBe('TENANT_NOT_FOUND');
      expect(unknown.body.code).toBe('TENANT_NOT_FOUND');
      expect(foreign.body.detail).toBe(unknown.body.detail);
    });

    it('403 for proctors and candidates, 400 for a malformed id', async () => {
      await t.http().get(`/api/v1/tenants/${a.tenant.id}`).set(bearer(a.proctorTokens)).expect(403);
      await t.http().get(`/api/v1/tenants/${a.tenant.id}`).set(bearer(a.candidateTokens)).expect(403);
      const bad = await t.http().get('/api/v1/tenants/xyz').set(bearer(superTokens)).expect(400);
      expect(bad.body.code).toBe('INVALID_ID');
    });
  });

  describe('update', () => {
    it('superadmin updates typed fields; audited with old and new values', async () => {
      const tenant = await createViaApi({ logo_url: 'https://cdn.example.com/a.png' });
      const newName = uniqueName('Renamed');
      const res = await t
        .http()
        .put(`/api/v1/tenants/${tenant.id}`)
        .set(bearer(superTokens))
        .send({
          name: newName,
          logo_url: null,
          custom_branding: { accent: 'blue' },
          max_test_attempts: 5,
          allowed_test_types: ['jdt'],
        })
        .expect(200);
      expect(res.body).toEqual({
        ...tenant,
        name: newName,
        logo_url: null,
        custom_branding: { accent: 'blue' },
        max_test_attempts: 5,
        allowed_test_types: ['JDT'],
        updated_at: ISO,
      });
      expect(await tenantRow(tenant.id)).toMatchObject({
        name: newName,
        logo_url: null,
        max_test_attempts: 5,
        allowed_test_types: ['JDT'],
      });
      const [audit] = await auditRows(t.db, tenant.id, 'tenant.update');
      expect(audit).toMatchObject({
        user_id: superadminId,
        tenant_id: tenant.id,
        old_values: tenant,
        new_values: res.body,
      });
    });

    it('only typed fields: id, created_at and unknown keys are 400, row unchanged', async () => {
      const before = await tenantRow(b.tenant.id);
      for (const body of [
        { id: UNKNOWN_ID },
        { created_at: '2000-01-01T00:00:00Z' },
        { domain: 'x' },
        { name: null },
        { max_test_attempts: 0 },
      ]) {
        const res = await t
          .http()
          .put(`/api/v1/tenants/${b.tenant.id}`)
          .set(bearer(superTokens))
          .send(body)
          .expect(400);
        expect(res.body.code).toBe('VALIDATION_ERROR');
      }
      expect(await tenantRow(b.tenant.id)).toEqual(before);
    });

    it('403 for an admin, even on its own tenant; row unchanged', async () => {
      const before = await tenantRow(a.tenant.id);
      await t
        .http()
        .put(`/api/v1/tenants/${a.tenant.id}`)
        .set(bearer(a.adminTokens))
        .send({ max_test_attempts: 1000 })
        .expect(403);
      await t
        .http()
        .put(`/api/v1/tenants/${b.tenant.id}`)
        .set(bearer(a.adminTokens))
        .send({ name: 'Hijacked' })
        .expect(403);
      expect(await tenantRow(a.tenant.id)).toEqual(before);
      expect((await tenantRow(b.tenant.id)).name).toBe(b.tenant.name);
    });

    it('409 on a name taken by another tenant; 404 for an unknown tenant', async () => {
      const tenant = await createViaApi();
      const res = await t
        .http()
        .put(`/api/v1/tenants/${tenant.id}`)
        .set(bearer(superTokens))
        .send({ name: a.tenant.name.toLowerCase() })
        .expect(409);
      expect(res.body.code).toBe('TENANT_NAME_TAKEN');
      expect((await tenantRow(tenant.id)).name).toBe(tenant.name);
      // Its own name in another case is fine.
      await t
        .http()
        .put(`/api/v1/tenants/${tenant.id}`)
        .set(bearer(superTokens))
        .send({ name: tenant.name.toUpperCase() })
        .expect(200);
      await t
        .http()
        .put(`/api/v1/tenants/${UNKNOWN_ID}`)
        .set(bearer(superTokens))
        .send({ max_test_attempts: 4 })
        .expect(404);
    });

    it('the System tenant cannot be deactivated through PUT either', async () => {
      const res = await t
        .http()
        .put(`/api/v1/tenants/${SYSTEM_TENANT_ID}`)
        .set(bearer(superTokens))
        .send({ is_active: false })
        .expect(409);
      expect(res.body.code).toBe('SYSTEM_TENANT_PROTECTED');
      expect((await tenantRow(SYSTEM_TENANT_ID)).is_active).toBe(true);
    });
  });

  describe('deactivate', () => {
    it("deactivates, audits, and cuts the tenant's users' live tokens and logins", async () => {
      const c = await createTenantWithStaff(t);
      await t.http().get('/auth/me').set(bearer(c.candidateTokens)).expect(200);
      const res = await t.http().delete(`/api/v1/tenants/${c.tenant.id}`).set(bearer(superTokens)).expect(200);
      expect(res.body).toMatchObject({ id: c.tenant.id, is_active: false, updated_at: ISO });
      expect((await tenantRow(c.tenant.id)).is_active).toBe(false);

      for (const tokens of [c.adminTokens, c.proctorTokens, c.candidateTokens]) {
        const me = await t.http().get('/auth/me').set(bearer(tokens)).expect(401);
        expect(me.headers['www-authenticate']).toBe('Bearer');
      }
      await t.http().get('/api/v1/users').set(bearer(c.adminTokens)).expect(401);
      await t.http().post('/auth/login').send({ email: c.admin.email, password: DEFAULT_PASSWORD }).expect(401);
      // Other tenants are unaffected.
      await t.http().get('/auth/me').set(bearer(a.candidateTokens)).expect(200);

      const [audit] = await auditRows(t.db, c.tenant.id, 'tenant.deactivate');
      expect(audit).toMatchObject({
        user_id: superadminId,
        tenant_id: c.tenant.id,
        old_values: { is_active: true },
        new_values: { is_active: false },
        request_id: res.headers['x-request-id'],
      });
      // Idempotent: a second DELETE answers the same and writes no second audit row.
      await t.http().delete(`/api/v1/tenants/${c.tenant.id}`).set(bearer(superTokens)).expect(200);
      expect(await auditRows(t.db, c.tenant.id, 'tenant.deactivate')).toHaveLength(1);

      // The sessions were revoked, not just suspended: reactivating the tenant does not revive old tokens.
      const revoked = await t.db.query(
        `SELECT count(*)::int AS n FROM sessions WHERE tenant_id = $1 AND revoke_reason = 'tenant_deactivated'`,
        [c.tenant.id],
      );
      expect(revoked[0].n).toBe(3);
      await t
        .http()
        .put(`/api/v1/tenants/${c.tenant.id}`)
        .set(bearer(superTokens))
        .send({ is_active: true })
        .expect(200);
      await t.http().get('/auth/me').set(bearer(c.candidateTokens)).expect(401);
      await t.http().post('/auth/refresh').send({ refresh_token: c.adminTokens.refresh_token }).expect(401);
      await t.http().post('/auth/login').send({ email: c.admin.email, password: DEFAULT_PASSWORD }).expect(200);
    });

    it('the System tenant cannot be deactivated: 409', async () => {
      const res = await t.http().delete(`/api/v1/tenants/${SYSTEM_TENANT_ID}`).set(bearer(superTokens)).expect(409);
      expect(res.body.code).toBe('SYSTEM_TENANT_PROTECTED');
      expect((await tenantRow(SYSTEM_TENANT_ID)).is_active).toBe(true);
      await t.http().get('/auth/me').set(bearer(superTokens)).expect(200);
    });

    it('403 for an admin (row unchanged), 404 for an unknown tenant, 400 for a malformed id', async () => {
      await t.http().delete(`/api/v1/tenants/${a.tenant.id}`).set(bearer(a.adminTokens)).expect(403);
      expect((await tenantRow(a.tenant.id)).is_active).toBe(true);
      await t.http().delete(`/api/v1/tenants/${UNKNOWN_ID}`).set(bearer(superTokens)).expect(404);
      await t.http().delete('/api/v1/tenants/1').set(bearer(superTokens)).expect(400);
    });
  });

  describe('tenant users', () => {
    it('superadmin and the own admin list the users; X-Total-Count; filters apply', async () => {
      for (const tokens of [superTokens, a.adminTokens]) {
        const res = await t.http().get(`/api/v1/tenants/${a.tenant.id}/users`).set(bearer(tokens)).expect(200);
        expect(JSON.stringify(res.body)).not.toContain('password_hash');
        expect(res.body.every((u: { tenant_id: string }) => u.tenant_id === a.tenant.id)).toBe(true);
        const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM users WHERE tenant_id = $1`, [a.tenant.id]);
        expect(res.headers['x-total-count']).toBe(String(n));
      }
      const proctors = await t
        .http()
        .get(`/api/v1/tenants/${a.tenant.id}/users`)
        .query({ role: 'proctor' })
        .set(bearer(superTokens))
        .expect(200);
      expect(proctors.body.map((u: { id: string }) => u.id)).toContain(a.proctor.id);
      expect(proctors.body.every((u: { role: string }) => u.role === 'proctor')).toBe(true);
    });

    it("another tenant's users: 404 for an admin; 403 for candidates and proctors", async () => {
      const res = await t.http().get(`/api/v1/tenants/${b.tenant.id}/users`).set(bearer(a.adminTokens)).expect(404);
      expect(res.body.code).toBe('TENANT_NOT_FOUND');
      await t.http().get(`/api/v1/tenants/${a.tenant.id}/users`).set(bearer(a.candidateTokens)).expect(403);
      await t.http().get(`/api/v1/tenants/${a.tenant.id}/users`).set(bearer(a.proctorTokens)).expect(403);
      await t.http().get(`/api/v1/tenants/${UNKNOWN_ID}/users`).set(bearer(superTokens)).expect(404);
    });

    it('POST creates a user in the path tenant with the users API rules', async () => {
      const address = `tenant-user-${Date.now()}@example.test`;
      const res = await t
        .http()
        .post(`/api/v1/tenants/${a.tenant.id}/users`)
        .set(bearer(a.adminTokens))
        .send({ email: address, password: DEFAULT_PASSWORD, candidate_name: 'Path Candidate' })
        .expect(201);
      expect(res.body).toMatchObject({
        email: address,
        tenant_id: a.tenant.id,
        client_name: a.tenant.name,
        role: 'candidate',
      });
      const [audit] = await auditRows(t.db, res.body.id, 'user.create');
      expect(audit).toMatchObject({
        user_id: a.admin.id,
        tenant_id: a.tenant.id,
        request_id: res.headers['x-request-id'],
      });

      const bySuper = await t
        .http()
        .post(`/api/v1/tenants/${b.tenant.id}/users`)
        .set(bearer(superTokens))
        .send({ email: `b-${address}`, password: DEFAULT_PASSWORD, full_name: 'B Proctor', role: 'proctor' })
        .expect(201);
      expect(bySuper.body).toMatchObject({ tenant_id: b.tenant.id, role: 'proctor' });
    });

    it('POST refusals: foreign tenant 404, superadmin role 403, mismatched tenant_id 400 — nothing inserted', async () => {
      const address = `refused-${Date.now()}@example.test`;
      const body = { email: address, password: DEFAULT_PASSWORD, full_name: 'Nope' };
      const foreign = await t
        .http()
        .post(`/api/v1/tenants/${b.tenant.id}/users`)
        .set(bearer(a.adminTokens))
        .send(body)
        .expect(404);
      expect(foreign.body.code).toBe('TENANT_NOT_FOUND');
      const escalate = await t
        .http()
        .post(`/api/v1/tenants/${a.tenant.id}/users`)
        .set(bearer(a.adminTokens))
        .send({ ...body, role: 'superadmin' })
        .expect(403);
      expect(escalate.body.code).toBe('ROLE_NOT_ALLOWED');
      const mismatch = await t
        .http()
        .post(`/api/v1/tenants/${a.tenant.id}/users`)
        .set(bearer(superTokens))
        .send({ ...body, tenant_id: b.tenant.id })
        .expect(400);
      expect(mismatch.body.code).toBe('TENANT_MISMATCH');
      await t.http().post(`/api/v1/tenants/${a.tenant.id}/users`).set(bearer(a.candidateTokens)).send(body).expect(403);
      await t
        .http()
        .post(`/api/v1/tenants/${a.tenant.id}/users`)
        .set(bearer(a.adminTokens))
        .send({ ...body, extra: 1 })
        .expect(400);
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM users WHERE email = $1`, [address]);
      expect(n).toBe(0);
    });
  });

  describe('statistics', () => {
    it('counts the rows of the tenant; submissions are zero until submissions exist', async () => {
      const tenant = await createTenant(t.db);
      const admin = await createUser(t.db, { role: 'admin', tenantId: tenant.id });
      await createUser(t.db, { role: 'admin', tenantId: tenant.id, isActive: false });
      await createUser(t.db, { role: 'proctor', tenantId: tenant.id });
      const recent = await createUser(t.db, { tenantId: tenant.id });
      const stale = await createUser(t.db, { tenantId: tenant.id });
      await createUser(t.db, { tenantId: tenant.id });
      await t.db.query(`UPDATE users SET last_login = now() - interval '3 days' WHERE id = $1`, [recent.id]);
      await t.db.query(`UPDATE users SET last_login = now() - interval '40 days' WHERE id = $1`, [stale.id]);
      // Users of other tenants never count.
      await createUser(t.db, { role: 'admin', tenantId: b.tenant.id });

      const res = await t.http().get(`/api/v1/tenants/${tenant.id}/statistics`).set(bearer(superTokens)).expect(200);
      expect(res.body).toEqual({
        tenant_id: tenant.id,
        users: { total: 6, admins: 2, candidates: 3, active_last_30_days: 1 },
        submissions: { total: 0, jdt: 0, sjt: 0, last_30_days: 0 },
        tests: { total: 0, active: 0 },
        invitations: {
          total: 0,
          sent: 0,
          scheduled: 0,
          in_progress: 0,
          completed: 0,
          expired: 0,
          cancelled: 0,
          last_30_days: 0,
        },
        attempts: { total: 0, in_progress: 0, submitted: 0, needs_review: 0, last_30_days: 0, flagged: 0 },
      });

      // The admin's own login counts as activity.
      const tokens = await loginAs(t, admin);
      const own = await t.http().get(`/api/v1/tenants/${tenant.id}/statistics`).set(bearer(tokens)).expect(200);
      expect(own.body.users).toEqual({ total: 6, admins: 2, candidates: 3, active_last_30_days: 2 });
    });

    it("404 for another tenant's admin, 403 for proctors and candidates", async () => {
      const res = await t
        .http()
        .get(`/api/v1/tenants/${b.tenant.id}/statistics`)
        .set(bearer(a.adminTokens))
        .expect(404);
      expect(res.body.code).toBe('TENANT_NOT_FOUND');
      expect(JSON.stringify(res.body)).not.toContain('users');
      await t.http().get(`/api/v1/tenants/${a.tenant.id}/statistics`).set(bearer(a.proctorTokens)).expect(403);
      await t.http().get(`/api/v1/tenants/${a.tenant.id}/statistics`).set(bearer(a.candidateTokens)).expect(403);
    });
  });
});
