import { SYSTEM_TENANT_ID } from '../../src/domain/tenancy';
import { bearer, createTenant, createUser, DEFAULT_PASSWORD, loginAs, Tokens } from '../setup/factories';
import { auditRows, setupTwoTenants, Staff } from '../setup/fixtures';
import { createTestApp, TestApp } from '../setup/test-app';
import { ISO, UUID } from '../setup/matchers';

const AGENT = 'users-e2e/1.0';
let seq = 0;
const email = (prefix = 'user') => `${prefix}-${Date.now().toString(36)}-${++seq}@example.test`;

/** No response may ever carry a password hash (or anything that looks like a bcrypt hash). */
function expectNoSecrets(body: unknown): void {
  const text = JSON.stringify(body);
  expect(text).not.toContain('password_hash');
  expect(text).not.toMatch(/\$2[aby]\$/);
}

describe('Users API', () => {
  let t: TestApp;
  let a: Staff;
  let b: Staff;
  let superTokens: Tokens;
  let superadminId: string;

  const userRow = async (id: string) =>
    (
      await t.db.query(
        `SELECT id, email, full_name, candidate_id, role, tenant_id, preferred_language, is_active, password_hash,
                updated_at FROM users WHERE id = $1`,
        [id],
      )
    )[0];
  const countByEmail = async (address: string) =>
    (await t.db.query(`SELECT count(*)::int AS n FROM users WHERE email = $1`, [address.toLowerCase()]))[0].n;
  const sessionReasons = async (userId: string) =>
    (await t.db.query(`SELECT revoke_reason FROM sessions WHERE user_id = $1 ORDER BY created_at`, [userId])).map(
      (row: { revoke_reason: string | null }) => row.revoke_reason,
    );

  beforeAll(async () => {
    t = await createTestApp();
    ({ a, b, superTokens, superadminId } = await setupTwoTenants(t));
  });
  afterAll(() => t.close());

  describe('authentication and roles', () => {
    it('401 without a token, with WWW-Authenticate', async () => {
      for (const path of ['/users', '/api/v1/users', `/api/v1/users/${a.candidate.id}`]) {
        const res = await t.http().get(path).expect(401);
        expect(res.headers['www-authenticate']).toBe('Bearer');
        expect(res.body).toMatchObject({ status_code: 401, code: 'NOT_AUTHENTICATED', path });
      }
      await t.http().post('/api/v1/users').send({}).expect(401);
      await t.http().put(`/api/v1/users/${a.candidate.id}`).send({}).expect(401);
      await t.http().delete(`/api/v1/users/${a.candidate.id}`).expect(401);
    });

    it('403 for candidates and proctors on list, create, by-email and delete', async () => {
      for (const tokens of [a.candidateTokens, a.proctorTokens]) {
        const list = await t.http().get('/api/v1/users').set(bearer(tokens)).expect(403);
        expect(list.body.code).toBe('INSUFFICIENT_ROLE');
        await t
          .http()
          .post('/api/v1/users')
          .set(bearer(tokens))
          .send({ email: email(), password: DEFAULT_PASSWORD, full_name: 'X' })
          .expect(403);
        await t.http().get(`/api/v1/users/by-email/${a.admin.email}`).set(bearer(tokens)).expect(403);
        await t.http().delete(`/api/v1/users/${a.admin.id}`).set(bearer(tokens)).expect(403);
      }
      expect((await userRow(a.admin.id)).is_active).toBe(true);
    });
  });

  describe('list', () => {
    it('admin: own tenant only, newest first, total in X-Total-Count, at /users and /api/v1/users', async () => {
      for (const path of ['/users', '/api/v1/users']) {
        const res = await t.http().get(path).set(bearer(a.adminTokens)).expect(200);
        expectNoSecrets(res.body);
        expect(Array.isArray(res.body)).toBe(true);
        expect(res.body.every((u: { tenant_id: string }) => u.tenant_id === a.tenant.id)).toBe(true);
        const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM users WHERE tenant_id = $1`, [a.tenant.id]);
        expect(res.headers['x-total-count']).toBe(String(n));
        expect(res.body).toHaveLength(n);
        const created = res.body.map((u: { created_at: string }) => u.created_at);
        expect([...created].sort().reverse()).toEqual(created);
        const ids = res.body.map((u: { id: string }) => u.id);
        expect(ids).toEqual(expect.arrayContaining([a.admin.id, a.proctor.id, a.candidate.id]));
        expect(ids).not.toContain(b.admin.id);
        expect(ids).not.toContain(superadminId);
      }
    });

    it('returns the documented user shape', async () => {
      const res = await t
        .http()
        .get('/api/v1/users')
        .query({ search: a.candidate.email })
        .set(bearer(a.adminTokens))
        .expect(200);
      expect(res.body).toEqual([
        {
          id: a.candidate.id,
          email: a.candidate.email,
          full_name: a.candidate.full_name,
          candidate_name: a.candidate.full_name,
          candidate_id: null,
          client_name: a.tenant.name,
          role: 'candidate',
          tenant_id: a.tenant.id,
          preferred_language: 'en',
          language_code: 'en',
          is_active: true,
          last_login: ISO,
          created_at: ISO,
          updated_at: ISO,
        },
      ]);
    });

    it('an admin never sees superadmins, even an admin of the System tenant', async () => {
      const systemAdmin = await createUser(t.db, { role: 'admin', tenantId: SYSTEM_TENANT_ID });
      const tokens = await loginAs(t, systemAdmin);
      const res = await t.http().get('/api/v1/users').query({ limit: 500 }).set(bearer(tokens)).expect(200);
      expect(res.body.map((u: { id: string }) => u.id)).toContain(systemAdmin.id);
      expect(res.body.some((u: { role: string }) => u.role === 'superadmin')).toBe(false);
      const filtered = await t
        .http()
        .get('/api/v1/users')
        .query({ role: 'superadmin' })
        .set(bearer(tokens))
        .expect(200);
      expect(filtered.body).toEqual([]);
      expect(filtered.headers['x-total-count']).toBe('0');
    });

    it("an admin naming another tenant's id gets nothing from it", async () => {
      const res = await t
        .http()
        .get('/api/v1/users')
        .query({ tenant_id: b.tenant.id })
        .set(bearer(a.adminTokens))
        .expect(200);
      expect(res.body).toEqual([]);
      expect(res.headers['x-total-count']).toBe('0');
    });

    it('superadmin: every tenant, with an optional tenant_id filter', async () => {
      const all = await t.http().get('/api/v1/users').query({ limit: 500 }).set(bearer(superTokens)).expect(200);
      const ids = all.body.map((u: { id: string }) => u.id);
      expect(ids).toEqual(expect.arrayContaining([a.admin.id, b.admin.id, superadminId]));
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM users`);
      expect(all.headers['x-total-count']).toBe(String(n));

      const onlyB = await t
        .http()
        .get('/api/v1/users')
        .query({ tenant_id: b.tenant.id })
        .set(bearer(superTokens))
        .expect(200);
      expect(onlyB.body.map((u: { id: string }) => u.id).sort()).toEqual(
        [b.admin.id, b.proctor.id, b.candidate.id].sort(),
      );
    });

    it('filters by role (applicant = candidate), is_active and search; LIKE wildcards are literal', async () => {
      const tenant = await createTenant(t.db);
      const admin = await createUser(t.db, { role: 'admin', tenantId: tenant.id });
      const tokens = await loginAs(t, admin);
      const underscore = await createUser(t.db, { tenantId: tenant.id, fullName: 'Zed_Under Score' });
      await createUser(t.db, { tenantId: tenant.id, fullName: 'ZedXUnder Plain' });
      const inactive = await createUser(t.db, {
        tenantId: tenant.id,
        isActive: false,
        fullName: 'Sleeping Percent 100%',
      });

      const get = (query: Record<string, string>) =>
        t.http().get('/api/v1/users').query(query).set(bearer(tokens)).expect(200);

      const applicants = await get({ role: 'applicant' });
      expect(applicants.body).toHaveLength(3);
      expect(applicants.body.every((u: { role: string }) => u.role === 'candidate')).toBe(true);
      expect((await get({ role: 'admin' })).body.map((u: { id: string }) => u.id)).toEqual([admin.id]);
      expect((await get({ is_active: 'false' })).body.map((u: { id: string }) => u.id)).toEqual([inactive.id]);
      expect((await get({ is_active: 'true' })).body).toHaveLength(3);
      expect((await get({ search: 'zed_under' })).body.map((u: { id: string }) => u.id)).toEqual([underscore.id]);
      expect((await get({ search: '100%' })).body.map((u: { id: string }) => u.id)).toEqual([inactive.id]);
      expect((await get({ search: '%' })).body.map((u: { id: string }) => u.id)).toEqual([inactive.id]);
      expect((await get({ search: underscore.email.toUpperCase() })).body.map((u: { id: string }) => u.id)).toEqual([
        underscore.id,
      ]);
    });

    it('paginates with skip/limit and keeps the total', async () => {
      const first = await t.http().get('/api/v1/users').query({ limit: 2 }).set(bearer(superTokens)).expect(200);
      const second = await t
        .http()
        .get('/api/v1/users')
        .query({ skip: 2, limit: 2 })
        .set(bearer(superTokens))
        .expect(200);
      expect(first.body).toHaveLength(2);
      expect(second.body).toHaveLength(2);
      expect(first.headers['x-total-count']).toBe(second.headers['x-total-count']);
      expect(Number(first.headers['x-total-count'])).toBeGreaterThan(4);
      const ids = [...first.body, ...second.body].map((u: { id: string }) => u.id);
      expect(new Set(ids).size).toBe(4);
    });

    it('400 on bad query values', async () => {
      for (const query of [
        { limit: '0' },
        { limit: '0' },
        { skip: '-1' },
        { skip: 'abc' },
        { is_active: 'maybe' },
        { role: 'root' },
        { tenant_id: 'not-a-uuid' },
        { unknown: '1' },
      ]) {
        const res = await t.http().get('/api/v1/users').query(query).set(bearer(superTokens)).expect(400);
        expect(res.body.code).toBe('VALIDATION_ERROR');
        expect(res.body.errors.length).toBeGreaterThan(0);
      }
    });
  });

  describe('create', () => {
    it('admin creates a candidate in its own tenant: 201, hashed password, audited in the same request', async () => {
      const address = email('New.Candidate').replace('new', 'NEW');
      const res = await t
        .http()
        .post('/api/v1/users')
        .set(bearer(a.adminTokens))
        .set('User-Agent', AGENT)
        .send({ email: address, password: 'Secret-pass-1', full_name: 'New Candidate', candidate_id: 'C-001' })
        .expect(201);
      expectNoSecrets(res.body);
      expect(res.body).toEqual({
        id: UUID,
        email: address.toLowerCase(),
        full_name: 'New Candidate',
        candidate_name: 'New Candidate',
        candidate_id: 'C-001',
        client_name: a.tenant.name,
        role: 'candidate',
        tenant_id: a.tenant.id,
        preferred_language: 'en',
        language_code: 'en',
        is_active: true,
        last_login: null,
        created_at: ISO,
        updated_at: ISO,
      });

      const row = await userRow(res.body.id);
      expect(row.password_hash).toMatch(/^\$2[aby]\$/);
      expect(row.password_hash).not.toContain('Secret-pass-1');
      expect(row).toMatchObject({ tenant_id: a.tenant.id, role: 'candidate', email: address.toLowerCase() });

      const [audit] = await auditRows(t.db, res.body.id, 'user.create');
      expect(audit).toMatchObject({
        user_id: a.admin.id,
        tenant_id: a.tenant.id,
        resource_type: 'user',
        old_values: null,
        new_values: res.body,
        user_agent: AGENT,
        request_id: res.headers['x-request-id'],
      });
      expect(audit.ip_address).toMatch(/127\.0\.0\.1|::1/);
      expectNoSecrets(audit);

      await loginAs(t, { email: address, password: 'Secret-pass-1' });
    });

    it('accepts the first seed field names: candidate_name, language_code, role applicant; full_name wins', async () => {
      const address = email();
      const res = await t
        .http()
        .post('/users')
        .set(bearer(a.adminTokens))
        .send({
          email: address,
          password: DEFAULT_PASSWORD,
          candidate_name: 'Seed Name',
          language_code: 'fr',
          role: 'applicant',
          client_name: 'Ignored Corp',
          tenant_id: a.tenant.id,
        })
        .expect(201);
      expect(res.body).toMatchObject({
        full_name: 'Seed Name',
        candidate_name: 'Seed Name',
        preferred_language: 'fr',
        language_code: 'fr',
        role: 'candidate',
        client_name: a.tenant.name,
      });
      const both = await t
        .http()
        .post('/api/v1/users')
        .set(bearer(a.adminTokens))
        .send({
          email: email(),
          password: DEFAULT_PASSWORD,
          candidate_name: 'Loser',
          full_name: 'Winner',
          role: 'proctor',
        })
        .expect(201);
      expect(both.body).toMatchObject({ full_name: 'Winner', role: 'proctor' });
    });

    it('admin may create admins and proctors in its own tenant', async () => {
      for (const role of ['admin', 'proctor']) {
        const res = await t
          .http()
          .post('/api/v1/users')
          .set(bearer(a.adminTokens))
          .send({ email: email(role), password: DEFAULT_PASSWORD, full_name: role, role })
          .expect(201);
        expect(res.body).toMatchObject({ role, tenant_id: a.tenant.id });
      }
    });

    it('admin cannot create a superadmin: 403 and nothing inserted', async () => {
      const address = email('escalate');
      const res = await t
        .http()
        .post('/api/v1/users')
        .set(bearer(a.adminTokens))
        .send({ email: address, password: DEFAULT_PASSWORD, full_name: 'Evil', role: 'superadmin' })
        .expect(403);
      expect(res.body).toMatchObject({ code: 'ROLE_NOT_ALLOWED', status_code: 403 });
      expect(await countByEmail(address)).toBe(0);
    });

    it('admin cannot create a user in another tenant: 403 and nothing inserted', async () => {
      const address = email('foreign');
      for (const path of ['/api/v1/users', '/users']) {
        const res = await t
          .http()
          .post(path)
          .set(bearer(a.adminTokens))
          .send({ email: address, password: DEFAULT_PASSWORD, full_name: 'X', tenant_id: b.tenant.id })
          .expect(403);
        expect(res.body.code).toBe('FOREIGN_TENANT');
      }
      expect(await countByEmail(address)).toBe(0);
      const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_logs WHERE new_values->>'email' = $1`, [
        address,
      ]);
      expect(n).toBe(0);
    });

    it('superadmin: System tenant by default, any tenant when named, superadmins only in System', async () => {
      const plain = await t
        .http()
        .post('/api/v1/users')
        .set(bearer(superTokens))
        .send({ email: email(), password: DEFAULT_PASSWORD, full_name: 'Sys Candidate' })
        .expect(201);
      expect(plain.body).toMatchObject({ tenant_id: SYSTEM_TENANT_ID, client_name: 'System', role: 'candidate' });

      const inB = await t
        .http()
        .post('/api/v1/users')
        .set(bearer(superTokens))
        .send({
          email: email(),
          password: DEFAULT_PASSWORD,
          full_name: 'B Admin',
          role: 'admin',
          tenant_id: b.tenant.id,
        })
        .expect(201);
      expect(inB.body).toMatchObject({ tenant_id: b.tenant.id, client_name: b.tenant.name, role: 'admin' });

      const staff = await t
        .http()
        .post('/api/v1/users')
        .set(bearer(superTokens))
        .send({ email: email('staff'), password: DEFAULT_PASSWORD, full_name: 'Staff', role: 'superadmin' })
        .expect(201);
      expect(staff.body).toMatchObject({ tenant_id: SYSTEM_TENANT_ID, role: 'superadmin' });

      const address = email('misplaced');
      const misplaced = await t
        .http()
        .post('/api/v1/users')
        .set(bearer(superTokens))
        .send({
          email: address,
          password: DEFAULT_PASSWORD,
          full_name: 'X',
          role: 'superadmin',
          tenant_id: a.tenant.id,
        })
        .expect(400);
      expect(misplaced.body.code).toBe('SUPERADMIN_OUTSIDE_SYSTEM_TENANT');
      expect(await countByEmail(address)).toBe(0);
    });

    it('404 for an unknown tenant, 409 for an inactive one', async () => {
      const res = await t
        .http()
        .post('/api/v1/users')
        .set(bearer(superTokens))
        .send({
          email: email(),
          password: DEFAULT_PASSWORD,
          full_name: 'X',
          tenant_id: '7d1c1f7e-0000-4000-8000-000000000000',
        })
        .expect(404);
      expect(res.body.code).toBe('TENANT_NOT_FOUND');
      const inactive = await createTenant(t.db, { is_active: false });
      const closed = await t
        .http()
        .post('/api/v1/users')
        .set(bearer(superTokens))
        .send({ email: email(), password: DEFAULT_PASSWORD, full_name: 'X', tenant_id: inactive.id })
        .expect(409);
      expect(closed.body.code).toBe('TENANT_INACTIVE');
    });

    it('409 on a duplicate e-mail (any case) or a duplicate candidate_id in the tenant', async () => {
      const dup = await t
        .http()
        .post('/api/v1/users')
        .set(bearer(a.adminTokens))
        .send({ email: a.proctor.email.toUpperCase(), password: DEFAULT_PASSWORD, full_name: 'Dup' })
        .expect(409);
      expect(dup.body.code).toBe('EMAIL_TAKEN');

      const first = { password: DEFAULT_PASSWORD, full_name: 'Cand', candidate_id: 'EXT-42' };
      await t
        .http()
        .post('/api/v1/users')
        .set(bearer(a.adminTokens))
        .send({ ...first, email: email() })
        .expect(201);
      const again = await t
        .http()
        .post('/api/v1/users')
        .set(bearer(a.adminTokens))
        .send({ ...first, email: email() })
        .expect(409);
      expect(again.body.code).toBe('CANDIDATE_ID_TAKEN');
      // The same external code is fine in another tenant.
      await t
        .http()
        .post('/api/v1/users')
        .set(bearer(b.adminTokens))
        .send({ ...first, email: email() })
        .expect(201);
    });

    it('400 on invalid bodies, with field errors, and nothing inserted', async () => {
      const valid = { email: email('valid'), password: DEFAULT_PASSWORD, full_name: 'Valid' };
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ ...valid, is_admin: true }, 'is_admin'],
        [{ ...valid, password_hash: 'x' }, 'password_hash'],
        [{ ...valid, email: 'not-an-email' }, 'email'],
        [{ ...valid, password: 'a'.repeat(73) }, 'password'],
        [{ ...valid, password: 'é'.repeat(37) }, 'password'],
        [{ ...valid, password: 'short' }, 'password'],
        [{ ...valid, role: 'root' }, 'role'],
        [{ ...valid, tenant_id: 'abc' }, 'tenant_id'],
        [{ ...valid, preferred_language: 'english please' }, 'preferred_language'],
        [{ ...valid, full_name: null }, 'full_name'],
        [{ email: valid.email, password: DEFAULT_PASSWORD }, 'full_name'],
      ];
      for (const [body, field] of cases) {
        const res = await t.http().post('/api/v1/users').set(bearer(a.adminTokens)).send(body).expect(400);
        expect(res.body.code).toBe('VALIDATION_ERROR');
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
        expect(res.body.request_id).toBe(res.headers['x-request-id']);
      }
      expect(await countByEmail(valid.email)).toBe(0);
    });
  });

  describe('get', () => {
    it('admin reads a user of its tenant, at both paths', async () => {
      for (const path of [`/users/${a.proctor.id}`, `/api/v1/users/${a.proctor.id}`]) {
        const res = await t.http().get(path).set(bearer(a.adminTokens)).expect(200);
        expectNoSecrets(res.body);
        expect(res.body).toMatchObject({
          id: a.proctor.id,
          email: a.proctor.email,
          role: 'proctor',
          tenant_id: a.tenant.id,
        });
      }
    });

    it('404 (never 403) for a foreign user or a superadmin', async () => {
      for (const id of [b.candidate.id, b.admin.id, superadminId, '5f0c8b8e-1111-4111-8111-111111111111']) {
        const res = await t.http().get(`/api/v1/users/${id}`).set(bearer(a.adminTokens)).expect(404);
        expect(res.body).toEqual({
          status_code: 404,
          code: 'USER_NOT_FOUND',
          detail: 'User not found',
          path: `/api/v1/users/${id}`,
          request_id: res.headers['x-request-id'],
        });
      }
    });

    it('candidates and proctors read only themselves', async () => {
      const self = await t.http().get(`/api/v1/users/${a.candidate.id}`).set(bearer(a.candidateTokens)).expect(200);
      expect(self.body.id).toBe(a.candidate.id);
      await t.http().get(`/api/v1/users/${a.proctor.id}`).set(bearer(a.proctorTokens)).expect(200);
      await t.http().get(`/api/v1/users/${a.admin.id}`).set(bearer(a.candidateTokens)).expect(404);
      await t.http().get(`/api/v1/users/${a.candidate.id}`).set(bearer(a.proctorTokens)).expect(404);
    });

    it('superadmin reads anyone', async () => {
      const res = await t.http().get(`/api/v1/users/${b.candidate.id}`).set(bearer(superTokens)).expect(200);
      expect(res.body).toMatchObject({ id: b.candidate.id, tenant_id: b.tenant.id, client_name: b.tenant.name });
    });

    it('400 for a malformed id', async () => {
      const res = await t.http().get('/api/v1/users/not-a-uuid').set(bearer(a.adminTokens)).expect(400);
      expect(res.body).toMatchObject({ code: 'INVALID_ID', errors: [{ field: 'id', message: 'id must be a UUID' }] });
      await t.http().put('/api/v1/users/123').set(bearer(a.adminTokens)).send({}).expect(400);
      await t.http().delete('/api/v1/users/123').set(bearer(a.adminTokens)).expect(400);
    });

    it('by-email: case-insensitive, tenant-scoped', async () => {
      const res = await t
        .http()
        .get(`/api/v1/users/by-email/${encodeURIComponent(a.candidate.email.toUpperCase())}`)
        .set(bearer(a.adminTokens))
        .expect(200);
      expect(res.body.id).toBe(a.candidate.id);
      await t
        .http()
        .get(`/users/by-email/${encodeURIComponent(b.candidate.email)}`)
        .set(bearer(a.adminTokens))
        .expect(404);
      const sa = await t
        .http()
        .get(`/users/by-email/${encodeURIComponent(b.candidate.email)}`)
        .set(bearer(superTokens))
        .expect(200);
      expect(sa.body.id).toBe(b.candidate.id);
    });
  });

  describe('update', () => {
    let target: Awaited<ReturnType<typeof createUser>>;
    beforeEach(async () => {
      target = await createUser(t.db, { tenantId: a.tenant.id });
    });

    it('admin updates profile fields: full body returned, row changed, audited with old and new values', async () => {
      const before = await t.http().get(`/api/v1/users/${target.id}`).set(bearer(a.adminTokens)).expect(200);
      const res = await t
        .http()
        .put(`/api/v1/users/${target.id}`)
        .set(bearer(a.adminTokens))
        .set('User-Agent', AGENT)
        .send({
          candidate_name: 'Renamed',
          language_code: 'de',
          candidate_id: 'EXT-9',
          email: target.email.replace('candidate', 'moved'),
          client_name: 'ignored',
        })
        .expect(200);
      expectNoSecrets(res.body);
      expect(res.body).toEqual({
        ...before.body,
        full_name: 'Renamed',
        candidate_name: 'Renamed',
        candidate_id: 'EXT-9',
        email: target.email.replace('candidate', 'moved'),
        preferred_language: 'de',
        language_code: 'de',
        updated_at: ISO,
      });
      expect(await userRow(target.id)).toMatchObject({
        full_name: 'Renamed',
        preferred_language: 'de',
        candidate_id: 'EXT-9',
      });

      const [audit] = await auditRows(t.db, target.id, 'user.update');
      expect(audit).toMatchObject({
        user_id: a.admin.id,
        tenant_id: a.tenant.id,
        old_values: before.body,
        new_values: { ...res.body, sessions_revoked: 0 },
        request_id: res.headers['x-request-id'],
        user_agent: AGENT,
      });
    });

    it('PATCH is the same handler', async () => {
      const res = await t
        .http()
        .patch(`/api/v1/users/${target.id}`)
        .set(bearer(a.adminTokens))
        .send({ full_name: 'Patched' })
        .expect(200);
      expect(res.body.full_name).toBe('Patched');
      await t
        .http()
        .patch(`/users/${target.id}`)
        .set(bearer(a.adminTokens))
        .send({ full_name: 'Patched 2' })
        .expect(200);
      expect((await userRow(target.id)).full_name).toBe('Patched 2');
    });

    it('a candidate edits only its own profile fields', async () => {
      const tokens = await loginAs(t, target);
      const res = await t
        .http()
        .put(`/api/v1/users/${target.id}`)
        .set(bearer(tokens))
        .send({ full_name: 'Me Myself', preferred_language: 'es' })
        .expect(200);
      expect(res.body).toMatchObject({ full_name: 'Me Myself', preferred_language: 'es', role: 'candidate' });
      const before = await userRow(target.id);
      for (const body of [
        { email: email() },
        { role: 'admin' },
        { is_active: false },
        { candidate_id: 'X' },
        { tenant_id: b.tenant.id },
        { password: 'Another-pass-1' },
      ]) {
        const denied = await t.http().put(`/api/v1/users/${target.id}`).set(bearer(tokens)).send(body).expect(403);
        expect(denied.body.code).toBe('FIELD_NOT_ALLOWED');
      }
      expect(await userRow(target.id)).toEqual(before);
      // Another user of the same tenant is invisible to a candidate.
      await t.http().put(`/api/v1/users/${a.proctor.id}`).set(bearer(tokens)).send({ full_name: 'Hijack' }).expect(404);
      expect((await userRow(a.proctor.id)).full_name).toBe(a.proctor.full_name);
    });

    it('nobody changes their own role: 403 and the row unchanged', async () => {
      const before = await userRow(a.admin.id);
      const res = await t
        .http()
        .put(`/api/v1/users/${a.admin.id}`)
        .set(bearer(a.adminTokens))
        .send({ role: 'proctor' })
        .expect(403);
      expect(res.body.code).toBe('CANNOT_CHANGE_OWN_ROLE');
      await t.http().put(`/api/v1/users/${superadminId}`).set(bearer(superTokens)).send({ role: 'admin' }).expect(403);
      expect(await userRow(a.admin.id)).toEqual(before);
      // Sending the current role back is not a change.
      await t.http().put(`/api/v1/users/${a.admin.id}`).set(bearer(a.adminTokens)).send({ role: 'admin' }).expect(200);
    });

    it('nobody deactivates themselves (409), and an own password goes through change-password (403)', async () => {
      const res = await t
        .http()
        .put(`/api/v1/users/${a.admin.id}`)
        .set(bearer(a.adminTokens))
        .send({ is_active: false })
        .expect(409);
      expect(res.body.code).toBe('CANNOT_DEACTIVATE_SELF');
      const pw = await t
        .http()
        .put(`/api/v1/users/${a.admin.id}`)
        .set(bearer(a.adminTokens))
        .send({ password: 'Brand-new-pass-1' })
        .expect(403);
      expect(pw.body.code).toBe('USE_CHANGE_PASSWORD');
      expect((await userRow(a.admin.id)).is_active).toBe(true);
      await t.http().get('/auth/me').set(bearer(a.adminTokens)).expect(200);
    });

    it('an admin cannot grant superadmin or move a user to another tenant: 403, row unchanged', async () => {
      const before = await userRow(target.id);
      const grant = await t
        .http()
        .put(`/api/v1/users/${target.id}`)
        .set(bearer(a.adminTokens))
        .send({ role: 'superadmin' })
        .expect(403);
      expect(grant.body.code).toBe('ROLE_NOT_ALLOWED');
      const move = await t
        .http()
        .put(`/api/v1/users/${target.id}`)
        .set(bearer(a.adminTokens))
        .send({ tenant_id: b.tenant.id })
        .expect(403);
      expect(move.body.code).toBe('CANNOT_MOVE_USER');
      expect(await userRow(target.id)).toEqual(before);
      expect(await auditRows(t.db, target.id)).toEqual([]);
    });

    it("a foreign tenant's user is 404 and stays unchanged", async () => {
      const before = await userRow(b.candidate.id);
      const res = await t
        .http()
        .put(`/api/v1/users/${b.candidate.id}`)
        .set(bearer(a.adminTokens))
        .send({ full_name: 'Pwned', is_active: false })
        .expect(404);
      expect(res.body.code).toBe('USER_NOT_FOUND');
      await t
        .http()
        .put(`/api/v1/users/${superadminId}`)
        .set(bearer(a.adminTokens))
        .send({ full_name: 'Pwned' })
        .expect(404);
      expect(await userRow(b.candidate.id)).toEqual(before);
      expect((await userRow(superadminId)).full_name).not.toBe('Pwned');
    });

    it("a role change cuts the target's live access token", async () => {
      const tokens = await loginAs(t, target);
      await t.http().get('/auth/me').set(bearer(tokens)).expect(200);
      const res = await t
        .http()
        .put(`/api/v1/users/${target.id}`)
        .set(bearer(a.adminTokens))
        .send({ role: 'proctor' })
        .expect(200);
      expect(res.body.role).toBe('proctor');
      const me = await t.http().get('/auth/me').set(bearer(tokens)).expect(401);
      expect(me.body.code).toBe('SESSION_REVOKED');
      expect(await sessionReasons(target.id)).toEqual(['role_changed']);
      const [audit] = await auditRows(t.db, target.id, 'user.update');
      expect(audit.old_values.role).toBe('candidate');
      expect(audit.new_values).toMatchObject({ role: 'proctor', sessions_revoked: 1 });
      // A fresh login carries the new role.
      const again = await loginAs(t, target);
      expect(again.user.role).toBe('proctor');
    });

    it('deactivation through PUT cuts the token and blocks login; reactivation does not revive old sessions', async () => {
      const tokens = await loginAs(t, target);
      await t
        .http()
        .put(`/api/v1/users/${target.id}`)
        .set(bearer(a.adminTokens))
        .send({ is_active: false })
        .expect(200);
      await t.http().get('/auth/me').set(bearer(tokens)).expect(401);
      expect(await sessionReasons(target.id)).toEqual(['user_deactivated']);
      await t.http().post('/auth/login').send({ email: target.email, password: target.password }).expect(401);
      await t.http().put(`/api/v1/users/${target.id}`).set(bearer(a.adminTokens)).send({ is_active: true }).expect(200);
      await t.http().get('/auth/me').set(bearer(tokens)).expect(401);
      await loginAs(t, target);
    });

    it('an admin password reset revokes sessions, works, and is audited with the secret redacted', async () => {
      const tokens = await loginAs(t, target);
      const res = await t
        .http()
        .put(`/api/v1/users/${target.id}`)
        .set(bearer(a.adminTokens))
        .send({ password: 'Reset-by-admin-1' })
        .expect(200);
      expectNoSecrets(res.body);
      await t.http().get('/auth/me').set(bearer(tokens)).expect(401);
      expect(await sessionReasons(target.id)).toEqual(['password_changed']);
      await t.http().post('/auth/login').send({ email: target.email, password: target.password }).expect(401);
      await loginAs(t, { email: target.email, password: 'Reset-by-admin-1' });

      const [audit] = await auditRows(t.db, target.id, 'user.update');
      expect(audit.new_values.password).toBe('[REDACTED]');
      expect(JSON.stringify(audit)).not.toContain('Reset-by-admin-1');
      expectNoSecrets(audit);
    });

    it('superadmin moves a user between tenants; its sessions end', async () => {
      const tokens = await loginAs(t, target);
      const res = await t
        .http()
        .put(`/api/v1/users/${target.id}`)
        .set(bearer(superTokens))
        .send({ tenant_id: b.tenant.id })
        .expect(200);
      expect(res.body).toMatchObject({ tenant_id: b.tenant.id, client_name: b.tenant.name });
      expect((await userRow(target.id)).tenant_id).toBe(b.tenant.id);
      await t.http().get('/auth/me').set(bearer(tokens)).expect(401);
      expect(await sessionReasons(target.id)).toEqual(['tenant_changed']);
      // Now invisible to its former admin, visible to the new one.
      await t.http().get(`/api/v1/users/${target.id}`).set(bearer(a.adminTokens)).expect(404);
      await t.http().get(`/api/v1/users/${target.id}`).set(bearer(b.adminTokens)).expect(200);

      const unknown = await t
        .http()
        .put(`/api/v1/users/${target.id}`)
        .set(bearer(superTokens))
        .send({ tenant_id: '7d1c1f7e-0000-4000-8000-000000000000' })
        .expect(404);
      expect(unknown.body.code).toBe('TENANT_NOT_FOUND');
      const misplaced = await t
        .http()
        .put(`/api/v1/users/${target.id}`)
        .set(bearer(superTokens))
        .send({ role: 'superadmin' })
        .expect(400);
      expect(misplaced.body.code).toBe('SUPERADMIN_OUTSIDE_SYSTEM_TENANT');
      expect((await userRow(target.id)).role).toBe('candidate');
    });

    it('409 on a taken e-mail or candidate_id; 400 on unknown fields and nulls', async () => {
      const taken = await t
        .http()
        .put(`/api/v1/users/${target.id}`)
        .set(bearer(a.adminTokens))
        .send({ email: a.proctor.email })
        .expect(409);
      expect(taken.body.code).toBe('EMAIL_TAKEN');
      await t
        .http()
        .put(`/api/v1/users/${a.proctor.id}`)
        .set(bearer(a.adminTokens))
        .send({ candidate_id: 'DUP-1' })
        .expect(200);
      const dup = await t
        .http()
        .put(`/api/v1/users/${target.id}`)
        .set(bearer(a.adminTokens))
        .send({ candidate_id: 'DUP-1' })
        .expect(409);
      expect(dup.body.code).toBe('CANDIDATE_ID_TAKEN');
      for (const body of [
        { id: b.admin.id },
        { created_at: '2020-01-01' },
        { password_hash: 'x' },
        { email: null },
        { is_active: 'no' },
        { password: 'x'.repeat(73) },
      ]) {
        const res = await t.http().put(`/api/v1/users/${target.id}`).set(bearer(a.adminTokens)).send(body).expect(400);
        expect(res.body.code).toBe('VALIDATION_ERROR');
      }
      const row = await userRow(target.id);
      expect(row).toMatchObject({ email: target.email, candidate_id: null, is_active: true });
    });
  });

  describe('delete (deactivate)', () => {
    it('deactivates, revokes the sessions, audits once, and is idempotent', async () => {
      const target = await createUser(t.db, { role: 'proctor', tenantId: a.tenant.id });
      const tokens = await loginAs(t, target);
      const res = await t
        .http()
        .delete(`/api/v1/users/${target.id}`)
        .set(bearer(a.adminTokens))
        .set('User-Agent', AGENT)
        .expect(200);
      expectNoSecrets(res.body);
      expect(res.body).toMatchObject({ id: target.id, is_active: false, role: 'proctor', tenant_id: a.tenant.id });
      expect((await userRow(target.id)).is_active).toBe(false);
      await t.http().get('/auth/me').set(bearer(tokens)).expect(401);
      expect(await sessionReasons(target.id)).toEqual(['user_deactivated']);

      const audits = await auditRows(t.db, target.id, 'user.deactivate');
      expect(audits).toHaveLength(1);
      expect(audits[0]).toMatchObject({
        user_id: a.admin.id,
        tenant_id: a.tenant.id,
        old_values: { id: target.id, is_active: true },
        new_values: { id: target.id, is_active: false, sessions_revoked: 1 },
        request_id: res.headers['x-request-id'],
        user_agent: AGENT,
      });

      await t.http().delete(`/users/${target.id}`).set(bearer(a.adminTokens)).expect(200);
      expect(await auditRows(t.db, target.id, 'user.deactivate')).toHaveLength(1);
    });

    it('not yourself: 409', async () => {
      const res = await t.http().delete(`/api/v1/users/${a.admin.id}`).set(bearer(a.adminTokens)).expect(409);
      expect(res.body.code).toBe('CANNOT_DEACTIVATE_SELF');
      expect((await userRow(a.admin.id)).is_active).toBe(true);
    });

    it("a foreign tenant's user: 404 and still active", async () => {
      const tokens = await loginAs(t, b.proctor);
      await t.http().delete(`/api/v1/users/${b.proctor.id}`).set(bearer(a.adminTokens)).expect(404);
      await t.http().delete(`/api/v1/users/${superadminId}`).set(bearer(a.adminTokens)).expect(404);
      expect((await userRow(b.proctor.id)).is_active).toBe(true);
      expect((await userRow(superadminId)).is_active).toBe(true);
      await t.http().get('/auth/me').set(bearer(tokens)).expect(200);
    });

    it('superadmin deactivates a user of any tenant', async () => {
      const target = await createUser(t.db, { tenantId: b.tenant.id });
      const res = await t.http().delete(`/api/v1/users/${target.id}`).set(bearer(superTokens)).expect(200);
      expect(res.body.is_active).toBe(false);
      const [audit] = await auditRows(t.db, target.id, 'user.deactivate');
      expect(audit).toMatchObject({ user_id: superadminId, tenant_id: b.tenant.id });
    });
  });

  it('the OpenAPI document describes the users routes with auth and errors', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    const item = res.body.paths['/api/v1/users/{id}'];
    for (const method of ['get', 'put', 'patch', 'delete']) {
      expect(item[method].security).toEqual([{ bearer: [] }]);
      expect(item[method].responses['404']).toBeDefined();
    }
    expect(res.body.paths['/users'].post.responses['201']).toBeDefined();
    expect(res.body.paths['/api/v1/users'].get.responses['200'].headers['X-Total-Count']).toBeDefined();
  });
});
