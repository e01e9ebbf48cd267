import { SYSTEM_TENANT_ID } from '../../src/domain/tenancy';
import { bearer, createSuperadmin, createTenant, createTenantWithStaff, createUser, Tokens } from '../setup/factories';
import { Staff } from '../setup/fixtures';
import { createTestApp, TestApp } from '../setup/test-app';

interface Overview {
  companies: { total: number; added_last_7_days: number };
  users: { active_total: number; added_last_7_days: number };
  submissions: { total: number; last_24_hours: number };
  generated_at: string;
}

describe('Statistics API', () => {
  let t: TestApp;
  let staff: Staff;
  let superTokens: Tokens;

  const overview = async (): Promise<Overview> =>
    (await t.http().get('/api/v1/statistics/overview').set(bearer(superTokens)).expect(200)).body;
  const count = async (sql: string, params: unknown[] = []): Promise<number> => (await t.db.query(sql, params))[0].n;

  beforeAll(async () => {
    t = await createTestApp();
    staff = await createTenantWithStaff(t);
    superTokens = (await createSuperadmin(t)).superTokens;
  });
  afterAll(() => t.close());

  it('401 without a token; 403 for admins, proctors and candidates', async () => {
    const res = await t.http().get('/api/v1/statistics/overview').expect(401);
    expect(res.headers['www-authenticate']).toBe('Bearer');
    for (const tokens of [staff.adminTokens, staff.proctorTokens, staff.candidateTokens]) {
      const denied = await t.http().get('/api/v1/statistics/overview').set(bearer(tokens)).expect(403);
      expect(denied.body.code).toBe('INSUFFICIENT_ROLE');
    }
  });

  it('has the documented shape and matches the database', async () => {
    const before = Date.now();
    const body = await overview();
    expect(body).toEqual({
      companies: {
        total: await count(`SELECT count(*)::int AS n FROM tenants WHERE id <> $1`, [SYSTEM_TENANT_ID]),
        added_last_7_days: await count(
          `SELECT count(*)::int AS n FROM tenants WHERE id <> $1 AND created_at > now() - interval '7 days'`,
          [SYSTEM_TENANT_ID],
        ),
      },
      users: {
        active_total: await count(`SELECT count(*)::int AS n FROM users WHERE is_active`),
        added_last_7_days: await count(
          `SELECT count(*)::int AS n FROM users WHERE created_at > now() - interval '7 days'`,
        ),
      },
      submissions: { total: 0, last_24_hours: 0 },
      generated_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    });
    expect(Math.abs(Date.parse(body.generated_at) - before)).toBeLessThan(60_000);
  });

  it('counts exactly the rows created: recent and old companies, active and inactive users; System is no company', async () => {
    const start = await overview();

    const fresh = await createTenant(t.db);
    const old = await createTenant(t.db, { is_active: false });
    await t.db.query(`UPDATE tenants SET created_at = now() - interval '10 days' WHERE id = $1`, [old.id]);
    await createUser(t.db, { tenantId: fresh.id });
    await createUser(t.db, { tenantId: fresh.id, role: 'admin' });
    await createUser(t.db, { tenantId: fresh.id, isActive: false });
    const veteran = await createUser(t.db, { tenantId: old.id });
    await t.db.query(`UPDATE users SET created_at = now() - interval '30 days' WHERE id = $1`, [veteran.id]);
    await createUser(t.db, { role: 'superadmin', tenantId: SYSTEM_TENANT_ID });

    const end = await overview();
    expect(end.companies).toEqual({
      total: start.companies.total + 2,
      added_last_7_days: start.companies.added_last_7_days + 1,
    });
    expect(end.users).toEqual({
      active_total: start.users.active_total + 4,
      added_last_7_days: start.users.added_last_7_days + 4,
    });
    expect(end.submissions).toEqual({ total: 0, last_24_hours: 0 });
  });

  it('is documented in OpenAPI with its response schema', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    const op = res.body.paths['/api/v1/statistics/overview'].get;
    expect(op.security).toEqual([{ bearer: [] }]);
    expect(op.responses['200'].content['application/json'].schema.$ref).toMatch(/OverviewResponse$/);
    expect(op.responses['403']).toBeDefined();
  });
});
