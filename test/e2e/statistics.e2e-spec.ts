import { SYSTEM_TENANT_ID } from '../../src/domain/tenancy';
import { bearer, createSuperadmin, createTenant, createTenantWithStaff, createUser, Tokens } from '../setup/factories';
import { Staff } from '../setup/fixtures';
import { createTestApp, TestApp } from '../setup/test-app';
import { createInvitationRow, createSubmittedAttempt, createTestWithQuestions } from '../setup/timed-tests-fixtures';

interface Overview {
  companies: { total: number; added_last_7_days: number };
  users: { active_total: number; added_last_7_days: number };
  submissions: { total: number; last_24_hours: number };
  tests: { total: number; active: number };
  invitations: Record<string, number>;
  attempts: {
    total: number;
    in_progress: number;
    submitted: number;
    needs_review: number;
    last_30_days: number;
    flagged: number;
  };
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

  it('counts timed tests, invitations and attempts per tenant and platform-wide', async () => {
    const start = await overview();
    const own = await createTenantWithStaff(t);
    const other = await createTenantWithStaff(t);
    const test = await createTestWithQuestions(t, { tenantId: own.tenant.id });
    await createTestWithQuestions(t, { tenantId: own.tenant.id, is_active: false });
    const foreignTest = await createTestWithQuestions(t, { tenantId: other.tenant.id });
    await createInvitationRow(t, { tenantId: own.tenant.id, testId: test.testId, status: 'sent' });
    await createInvitationRow(t, { tenantId: own.tenant.id, testId: test.testId, status: 'cancelled' });
    await createInvitationRow(t, {
      tenantId: own.tenant.id,
      testId: test.testId,
      status: 'expired',
      createdAt: new Date(Date.now() - 40 * 86_400_000),
    });
    const flagged = await createSubmittedAttempt(t, test); // needs review (the essay), invitation completed
    await createSubmittedAttempt(t, test, { status: 'in_progress' });
    // a proctor flagged it twice: one flagged attempt
    for (let i = 0; i < 2; i++) {
      await t.db.query(
        `INSERT INTO attempt_events (tenant_id, attempt_id, invitation_id, type, actor_user_id)
         VALUES ($1, $2, $3, 'proctor.flag', $4)`,
        [own.tenant.id, flagged.attemptId, flagged.invitationId, own.proctor.id],
      );
    }
    await createSubmittedAttempt(t, foreignTest, { answers: {} });

    const res = await t
      .http()
      .get(`/api/v1/tenants/${own.tenant.id}/statistics`)
      .set(bearer(own.adminTokens))
      .expect(200);
    expect(res.body).toMatchObject({
      tests: { total: 2, active: 1 },
      invitations: {
        total: 5,
        sent: 1,
        scheduled: 0,
        in_progress: 1,
        completed: 1,
        expired: 1,
        cancelled: 1,
        last_30_days: 4,
      },
      attempts: { total: 2, in_progress: 1, submitted: 1, needs_review: 1, last_30_days: 2, flagged: 1 },
    });

    const end = await overview();
    expect(end.tests).toEqual({ total: start.tests.total + 3, active: start.tests.active + 2 });
    expect(end.invitations.total).toBe(start.invitations.total + 6);
    expect(end.attempts).toEqual({
      total: start.attempts.total + 3,
      in_progress: start.attempts.in_progress + 1,
      submitted: start.attempts.submitted + 2,
      needs_review: start.attempts.needs_review + 2,
      last_30_days: start.attempts.last_30_days + 3,
      flagged: start.attempts.flagged + 1,
    });
  });

  it('is documented in OpenAPI with its response schema', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    const op = res.body.paths['/api/v1/statistics/overview'].get;
    expect(op.security).toEqual([{ bearer: [] }]);
    expect(op.responses['200'].content['application/json'].schema.$ref).toMatch(/OverviewResponse$/);
    expect(op.responses['403']).toBeDefined();
  });
});
