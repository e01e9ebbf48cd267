import { bearer, createTenantWithStaff, createUser, DEFAULT_PASSWORD, loginAs, Tokens } from '../setup/factories';
import { setupTwoTenants, Staff } from '../setup/fixtures';
import { createTestApp, TestApp } from '../setup/test-app';
import { ISO } from '../setup/matchers';
import { SYSTEM_TENANT_ID } from '../../src/domain/tenancy';

interface AuditItem {
  id: string;
  tenant_id: string | null;
  user_id: string | null;
  action: string;
  resource_type: string;
  resource_id: string | null;
  old_values: Record<string, unknown> | null;
  new_values: Record<string, unknown> | null;
  ip_address: string | null;
  user_agent: string | null;
  request_id: string | null;
  created_at: string;
}

const AGENT = 'audit-e2e/1.0';
let seq = 0;
const email = () => `audited-${Date.now().toString(36)}-${++seq}@example.test`;

describe('Audit log API', () => {
  let t: TestApp;
  let a: Staff;
  let b: Staff;
  let superTokens: Tokens;
  let superadminId: string;
  let superadminEmail: string;

  const list = (tokens: Tokens, query: Record<string, string | number> = {}) =>
    t.http().get('/api/v1/audit-logs').query(query).set(bearer(tokens));
  const createUserVia = async (tokens: Tokens, body: Record<string, unknown> = {}) =>
    t
      .http()
      .post('/api/v1/users')
      .set(bearer(tokens))
      .set('User-Agent', AGENT)
      .send({ email: email(), password: DEFAULT_PASSWORD, full_name: 'Audited', ...body })
      .expect(201);

  beforeAll(async () => {
    t = await createTestApp();
    ({
      a,
      b,
      superTokens,
      superadminId,
      superadmin: { email: superadminEmail },
    } = await setupTwoTenants(t));
    // Activity in both tenants.
    await createUserVia(a.adminTokens);
    await createUserVia(b.adminTokens);
  });
  afterAll(() => t.close());

  it('401 without a token; 403 for proctors and candidates', async () => {
    const res = await t.http().get('/api/v1/audit-logs').expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    for (const tokens of [a.proctorTokens, a.candidateTokens]) {
      expect((await list(tokens).expect(403)).body.code).toBe('INSUFFICIENT_ROLE');
    }
  });

  it("an audited request appears with actor, tenant, values, ip, user agent and the response's request id", async () => {
    const created = await createUserVia(a.adminTokens, { candidate_id: 'AUD-1' });
    const res = await list(a.adminTokens, { resource_id: created.body.id }).expect(200);
    expect(res.headers['x-total-count']).toBe('1');
    expect(res.body).toEqual([
      {
        id: expect.any(String),
        tenant_id: a.tenant.id,
        user_id: a.admin.id,
        action: 'user.create',
        resource_type: 'user',
        resource_id: created.body.id,
        old_values: null,
        new_values: created.body,
        ip_address: expect.stringMatching(/127\.0\.0\.1|::1/),
        user_agent: AGENT,
        request_id: created.headers['x-request-id'],
        created_at: ISO,
      },
    ]);
  });

  it('an admin sees only its own tenant, whatever tenant_id it asks for', async () => {
    const own = await list(a.adminTokens, { limit: 500 }).expect(200);
    const items: AuditItem[] = own.body;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((item) => item.tenant_id === a.tenant.id)).toBe(true);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_logs WHERE tenant_id = $1`, [a.tenant.id]);
    expect(own.headers['x-total-count']).toBe(String(n));

    const foreign = await list(a.adminTokens, { tenant_id: b.tenant.id }).expect(200);
    expect(foreign.body).toEqual([]);
    expect(foreign.headers['x-total-count']).toBe('0');
  });

  it('a superadmin sees every tenant and may filter by tenant_id', async () => {
    const all = await list(superTokens, { limit: 500 }).expect(200);
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM audit_logs`);
    expect(all.headers['x-total-count']).toBe(String(n));
    const tenants = new Set((all.body as AuditItem[]).map((item) => item.tenant_id));
    expect([...tenants]).toEqual(expect.arrayContaining([a.tenant.id, b.tenant.id]));

    const onlyB = await list(superTokens, { tenant_id: b.tenant.id, limit: 500 }).expect(200);
    expect((onlyB.body as AuditItem[]).every((item) => item.tenant_id === b.tenant.id)).toBe(true);
    expect(onlyB.body.length).toBeGreaterThan(0);
  });

  it('filters by action, resource_type, resource_id and user_id; newest first', async () => {
    const target = await createUser(t.db, { tenantId: a.tenant.id });
    await t
      .http()
      .put(`/api/v1/users/${target.id}`)
      .set(bearer(a.adminTokens))
      .send({ full_name: 'First' })
      .expect(200);
    await t.http().put(`/api/v1/users/${target.id}`).set(bearer(superTokens)).send({ full_name: 'Second' }).expect(200);
    await t.http().delete(`/api/v1/users/${target.id}`).set(bearer(a.adminTokens)).expect(200);

    const history: AuditItem[] = (await list(superTokens, { resource_id: target.id }).expect(200)).body;
    expect(history.map((item) => item.action)).toEqual(['user.deactivate', 'user.update', 'user.update']);
    expect(history.map((item) => item.user_id)).toEqual([a.admin.id, superadminId, a.admin.id]);
    expect(history[1].old_values).toMatchObject({ full_name: 'First' });
    expect(history[1].new_values).toMatchObject({ full_name: 'Second' });

    const updates: AuditItem[] = (
      await list(superTokens, { action: 'user.update', resource_id: target.id }).expect(200)
    ).body;
    expect(updates).toHaveLength(2);
    const bySuper: AuditItem[] = (await list(superTokens, { user_id: superadminId, resource_type: 'user' }).expect(200))
      .body;
    expect(bySuper.map((item) => item.resource_id)).toEqual([target.id]);
    // The tenant's admin sees its own actions only: the superadmin acting in its tenant is hidden like its record.
    const adminView: AuditItem[] = (await list(a.adminTokens, { resource_id: target.id }).expect(200)).body;
    expect(adminView.map((item) => [item.action, item.user_id])).toEqual([
      ['user.deactivate', a.admin.id],
      ['user.update', a.admin.id],
    ]);
    const sessions: AuditItem[] = (await list(a.adminTokens, { resource_type: 'session', limit: 500 }).expect(200))
      .body;
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.every((item) => item.resource_type === 'session' && item.tenant_id === a.tenant.id)).toBe(true);
  });

  it('filters by a from/to date range', async () => {
    const created = await createUserVia(a.adminTokens);
    const [row] = await t.db.query(`SELECT created_at FROM audit_logs WHERE resource_id = $1`, [created.body.id]);
    const at = (row.created_at as Date).getTime();
    const iso = (ms: number) => new Date(ms).toISOString();
    const hit = await list(a.adminTokens, {
      resource_id: created.body.id,
      from: iso(at - 1000),
      to: iso(at + 1000),
    }).expect(200);
    expect(hit.body).toHaveLength(1);
    expect(
      (await list(a.adminTokens, { resource_id: created.body.id, from: iso(at + 1000) }).expect(200)).body,
    ).toEqual([]);
    expect((await list(a.adminTokens, { resource_id: created.body.id, to: iso(at - 1000) }).expect(200)).body).toEqual(
      [],
    );
  });

  it('secrets never appear: a password reset is recorded redacted', async () => {
    const target = await createUser(t.db, { tenantId: a.tenant.id });
    await t
      .http()
      .put(`/api/v1/users/${target.id}`)
      .set(bearer(a.adminTokens))
      .send({ password: 'Top-secret-reset-9' })
      .expect(200);
    const res = await list(a.adminTokens, { resource_id: target.id }).expect(200);
    expect(res.body[0].new_values.password).toBe('[REDACTED]');
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('Top-secret-reset-9');
    expect(text).not.toContain('password_hash');
    expect(text).not.toMatch(/\$2[aby]\$/);
  });

  it('login events are listed for the tenant, without passwords', async () => {
    const user = await createUser(t.db, { tenantId: a.tenant.id });
    await loginAs(t, user);
    const res = await list(a.adminTokens, { action: 'auth.login', user_id: user.id }).expect(200);
    expect(res.body).toHaveLength(1);
    expect(res.body[0]).toMatchObject({ tenant_id: a.tenant.id, resource_type: 'session' });
    expect(JSON.stringify(res.body)).not.toContain(DEFAULT_PASSWORD);
  });

  it("a System tenant admin never sees a superadmin's audit trail (actor or target), just as it never sees its record", async () => {
    const systemAdmin = await createUser(t.db, { role: 'admin', tenantId: SYSTEM_TENANT_ID });
    const systemAdminTokens = await loginAs(t, systemAdmin);
    const staff = await createUser(t.db, { role: 'candidate', tenantId: SYSTEM_TENANT_ID });
    // The superadmin: logs in again, fails a login, and acts on a System user the admin may see.
    await loginAs(t, { email: superadminEmail, password: DEFAULT_PASSWORD });
    await t.http().post('/auth/login').send({ email: superadminEmail, password: 'Wrong-password-1' }).expect(401);
    await t
      .http()
      .put(`/api/v1/users/${staff.id}`)
      .set(bearer(superTokens))
      .send({ full_name: 'Renamed by super' })
      .expect(200);
    // The admin's own actions stay visible.
    const own = await createUserVia(systemAdminTokens);

    const superRows: Array<{ id: string }> = await t.db.query(
      `SELECT id FROM audit_logs WHERE tenant_id = $1 AND (user_id = $2 OR (resource_type = 'user' AND resource_id = $2))`,
      [SYSTEM_TENANT_ID, superadminId],
    );
    expect(superRows.length).toBeGreaterThanOrEqual(4); // two logins, a failed login, an update

    const res = await list(systemAdminTokens, { limit: 500 }).expect(200);
    const items: AuditItem[] = res.body;
    const hiddenIds = new Set(superRows.map((row) => row.id));
    expect(items.filter((item) => hiddenIds.has(item.id))).toEqual([]);
    expect(JSON.stringify(items)).not.toContain(superadminId);
    expect(items.map((item) => item.resource_id)).toContain(own.body.id);
    // The total counts what is listed, not the hidden rows.
    const [{ n }] = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_logs WHERE tenant_id = $1
         AND user_id IS DISTINCT FROM $2 AND NOT (resource_type = 'user' AND resource_id = $2)`,
      [SYSTEM_TENANT_ID, superadminId],
    );
    expect(res.headers['x-total-count']).toBe(String(n));
    // Filtering on the superadmin finds nothing, whichever way it is asked.
    const queries: Array<Record<string, string>> = [
      { user_id: superadminId },
      { resource_id: superadminId },
      { action: 'auth.login_failed' },
    ];
    for (const query of queries) {
      const filtered: AuditItem[] = (await list(systemAdminTokens, query).expect(200)).body;
      expect(JSON.stringify(filtered)).not.toContain(superadminId);
    }
    // The superadmin still sees all of it.
    const all: AuditItem[] = (await list(superTokens, { user_id: superadminId, limit: 500 }).expect(200)).body;
    expect(all.map((item) => item.action)).toEqual(expect.arrayContaining(['auth.login', 'user.update']));
  });

  it('paginates with skip/limit', async () => {
    const first = await list(superTokens, { limit: 2 }).expect(200);
    const second = await list(superTokens, { skip: 2, limit: 2 }).expect(200);
    expect(first.body).toHaveLength(2);
    expect(second.body).toHaveLength(2);
    expect(first.headers['x-total-count']).toBe(second.headers['x-total-count']);
    const ids = [...first.body, ...second.body].map((item: AuditItem) => item.id);
    expect(new Set(ids).size).toBe(4);
  });

  it('400 on bad query values', async () => {
    const cases: Array<Record<string, string | number>> = [
      { resource_id: 'nope' },
      { user_id: '123' },
      { tenant_id: 'x' },
      { from: 'yesterday' },
      { to: '2024-13-45' },
      { limit: 0 },
      { skip: -1 },
      { unknown: 'x' },
    ];
    for (const query of cases) {
      const res = await list(superTokens, query).expect(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
    }
    const range = await list(superTokens, { from: '2024-02-01T00:00:00Z', to: '2024-01-01T00:00:00Z' }).expect(400);
    expect(range.body.code).toBe('INVALID_DATE_RANGE');
  });

  it('a limit over 500 is clamped to 500 (the first seed asks for 2000); X-Total-Count still tells the whole', async () => {
    const own = await createTenantWithStaff(t);
    await t.db.query(
      `INSERT INTO audit_logs (tenant_id, action, resource_type) SELECT $1, 'test.bulk', 'test' FROM generate_series(1, 520)`,
      [own.tenant.id],
    );
    const [{ count }] = await t.db.query(`SELECT count(*)::int AS count FROM audit_logs WHERE tenant_id = $1`, [
      own.tenant.id,
    ]);
    for (const limit of [2000, '501', '99999999999999999999999']) {
      const res = await list(own.adminTokens, { limit }).expect(200);
      expect(res.body).toHaveLength(500);
      expect(res.headers['x-total-count']).toBe(String(count));
    }
    const rest = await list(own.adminTokens, { limit: 2000, skip: 500 }).expect(200);
    expect(rest.body).toHaveLength(count - 500);
    for (const limit of ['0', '-1', '2.5', 'all']) await list(own.adminTokens, { limit }).expect(400);
  });
});
