import { Client } from 'pg';
import { AuthenticatedContext, RequestContext, systemContext } from '../../src/common/context/request-context';
import { ConfigError } from '../../src/config/app-config';
import { APP_ROLE, checkServingRole, servingRole } from '../../src/database/app-role';
import { DatabaseService, UnitOfWorkError } from '../../src/database/database.service';
import { UserEntity } from '../../src/modules/users/entities/user.entity';
import { SYSTEM_TENANT_ID } from '../../src/domain/tenancy';
import { bearer, loginAs } from '../setup/factories';
import { setupTwoTenants, storeSubmission, TwoTenants } from '../setup/fixtures';
import { createTestApp, TestApp } from '../setup/test-app';
import { createInvitationRow, createTestWithQuestions } from '../setup/timed-tests-fixtures';
import { hashInvitationToken } from '../../src/modules/timed-tests/invitations/invitation-token';

/**
 * Tenant isolation enforced by PostgreSQL (README.md "Security model"): every tenant-owned table is under row-level
 * security, the app serves as a plain role, and each unit of work sees exactly the tenant it was opened for — or
 * every tenant, for the named cross-tenant paths.
 */
describe('Row-level security', () => {
  let t: TestApp;
  let db: DatabaseService;
  let two: TwoTenants;

  beforeAll(async () => {
    t = await createTestApp();
    db = t.app.get(DatabaseService);
    two = await setupTwoTenants(t);
    await storeSubmission(t, {
      tenant_id: two.a.tenant.id,
      user_id: two.a.candidate.id,
      test_type: 'SJT',
      attempt_number: 1,
    });
    await storeSubmission(t, {
      tenant_id: two.b.tenant.id,
      user_id: two.b.candidate.id,
      test_type: 'SJT',
      attempt_number: 1,
    });
  });
  afterAll(() => t.close());

  /** The context an authenticated request of this user would carry. */
  const contextOf = (user: { id: string; tenant_id: string; role: string; email: string }): AuthenticatedContext => ({
    requestId: `rls-${user.id}`,
    ip: null,
    userAgent: null,
    user: {
      id: user.id,
      tenantId: user.tenant_id,
      role: user.role as AuthenticatedContext['user']['role'],
      email: user.email,
      fullName: 'x',
      sessionId: '00000000-0000-0000-0000-000000000000',
      profile: {} as AuthenticatedContext['user']['profile'],
    },
  });
  const tenantsOf = async (tx: RequestContext, table: string): Promise<string[]> => {
    const rows = (await db.manager(tx).query(`SELECT DISTINCT tenant_id FROM ${table}`)) as { tenant_id: string }[];
    return rows.map((row) => row.tenant_id).sort();
  };
  const sorted = (...ids: string[]) => [...ids].sort();

  describe('the catalog', () => {
    it('every table with a tenant_id has row-level security enabled and forced, and a policy', async () => {
      const tables = (await t.db.query(`
        SELECT c.relname AS table, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
               (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
          FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
           AND EXISTS (SELECT 1 FROM pg_attribute a
                        WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
         ORDER BY 1`)) as { table: string; enabled: boolean; forced: boolean; policies: number }[];
      expect(tables.map((row) => row.table)).toEqual(
        expect.arrayContaining(['users', 'sessions', 'audit_logs', 'configurations', 'submissions', 'media_files']),
      );
      const missing = tables.filter((row) => !row.enabled || !row.forced || row.policies < 1);
      expect(missing).toEqual([]);
    });

    it('the app serves as the plain application role: no superuser, no BYPASSRLS', async () => {
      const role = await servingRole(t.appDatabaseUrl);
      expect(role).toEqual({ role: APP_ROLE, superuser: false, bypassRls: false });
      const [current] = (await db.crossTenant(systemContext('rls-role'), 'test.role', (tx) =>
        db.manager(tx).query(`SELECT current_user AS role`),
      )) as { role: string }[];
      expect(current.role).toBe(APP_ROLE);
    });

    it('the policy functions are inlined: a tenant filter on app_tenant() is an index condition', async () => {
      const plan = (await db.asTenant(systemContext('rls-plan'), two.a.tenant.id, async (tx) => {
        await db.manager(tx).query(`SET LOCAL enable_seqscan = off`);
        return db.manager(tx).query(`EXPLAIN SELECT * FROM submissions WHERE tenant_id = app_tenant()`);
      })) as { 'QUERY PLAN': string }[];
      const text = plan.map((row) => row['QUERY PLAN']).join('\n');
      expect(text).toMatch(/Index Cond: \(tenant_id = /);
      expect(text).not.toMatch(/SubPlan|app_tenant\(\)/);
    });
  });

  describe("a tenant's unit of work", () => {
    it('a deliberately unscoped query returns only that tenant’s rows, on every tenant-owned table', async () => {
      await db.transaction(contextOf(two.a.admin), async (tx) => {
        expect(await tenantsOf(tx, 'users')).toEqual([two.a.tenant.id]);
        expect(await tenantsOf(tx, 'sessions')).toEqual([two.a.tenant.id]);
        expect(await tenantsOf(tx, 'submissions')).toEqual([two.a.tenant.id]);
        const audit = (await db.manager(tx).query(`SELECT DISTINCT tenant_id FROM audit_logs`)) as unknown[];
        expect(audit).not.toContainEqual({ tenant_id: two.b.tenant.id });
      });
      await db.asTenant(systemContext('rls-b'), two.b.tenant.id, async (tx) => {
        expect(await tenantsOf(tx, 'users')).toEqual([two.b.tenant.id]);
        expect(await tenantsOf(tx, 'submissions')).toEqual([two.b.tenant.id]);
      });
    });

    it("writing another tenant's row is refused by PostgreSQL, and its rows cannot be changed", async () => {
      await expect(
        db.transaction(contextOf(two.a.admin), (tx) =>
          db.manager(tx).query(
            `INSERT INTO users (email, password_hash, full_name, role, tenant_id)
             VALUES ('intruder@example.test', 'x', 'Intruder', 'admin', $1)`,
            [two.b.tenant.id],
          ),
        ),
      ).rejects.toThrow(/row-level security/);
      const updated = await db.transaction(contextOf(two.a.admin), (tx) =>
        db.repo(tx, UserEntity).update({ id: two.b.admin.id }, { full_name: 'Renamed' }),
      );
      expect(updated.affected).toBe(0);
      const [row] = (await t.db.query(`SELECT full_name FROM users WHERE id = $1`, [two.b.admin.id])) as {
        full_name: string;
      }[];
      expect(row.full_name).not.toBe('Renamed');
    });

    it('system configurations are readable by every tenant but written only across tenants', async () => {
      await t.db.query(
        `INSERT INTO configurations (tenant_id, scope, config_type, config_data, version, is_active)
         VALUES (NULL, 'system', 'global', '{}', 99, false)`,
      );
      await db.transaction(contextOf(two.a.admin), async (tx) => {
        const rows = (await db.manager(tx).query(`SELECT 1 FROM configurations WHERE tenant_id IS NULL`)) as unknown[];
        expect(rows.length).toBeGreaterThan(0);
        await expect(
          db.manager(tx).query(`UPDATE configurations SET is_active = false WHERE tenant_id IS NULL`),
        ).rejects.toThrow(/row-level security/);
      });
    });

    it('without a unit of work the app role sees no tenant-owned row at all', async () => {
      const client = new Client({ connectionString: t.appDatabaseUrl });
      await client.connect();
      try {
        expect((await client.query(`SELECT * FROM users`)).rows).toEqual([]);
        expect((await client.query(`SELECT * FROM submissions`)).rows).toEqual([]);
      } finally {
        await client.end();
      }
    });
  });

  describe('the cross-tenant paths see what they must and nothing more', () => {
    it("superadmin list: GET /api/v1/users lists every tenant's users; an admin's lists its own only", async () => {
      const all = await t.http().get('/api/v1/users?limit=100').set(bearer(two.superTokens)).expect(200);
      const tenants = new Set((all.body as { tenant_id: string }[]).map((u) => u.tenant_id));
      expect(tenants).toEqual(new Set([two.a.tenant.id, two.b.tenant.id, SYSTEM_TENANT_ID]));
      const own = await t.http().get('/api/v1/users?limit=100').set(bearer(two.a.adminTokens)).expect(200);
      expect(new Set((own.body as { tenant_id: string }[]).map((u) => u.tenant_id))).toEqual(
        new Set([two.a.tenant.id]),
      );
    });

    it('statistics overview: counts every tenant’s rows', async () => {
      const res = await t.http().get('/api/v1/statistics/overview').set(bearer(two.superTokens)).expect(200);
      const [{ n: submissions }] = (await t.db.query(`SELECT count(*)::int AS n FROM submissions`)) as { n: number }[];
      const [{ n: users }] = (await t.db.query(`SELECT count(*)::int AS n FROM users WHERE is_active`)) as {
        n: number;
      }[];
      expect(res.body.submissions.total).toBe(submissions);
      expect(submissions).toBe(2);
      expect(res.body.users.active_total).toBe(users);
    });

    it('login lookup: the e-mail finds its user in any tenant, and the session is written in that tenant', async () => {
      for (const staff of [two.a, two.b]) {
        const tokens = await loginAs(t, staff.proctor);
        expect(tokens.user.tenant_id).toBe(staff.tenant.id);
        const [session] = (await t.db.query(
          `SELECT tenant_id FROM sessions WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1`,
          [staff.proctor.id],
        )) as { tenant_id: string }[];
        expect(session.tenant_id).toBe(staff.tenant.id);
      }
      // The lookup's unit sees every tenant, and the app's failed-login audit of an unknown e-mail (no tenant) lands.
      await t.http().post('/auth/login').send({ email: 'nobody@example.test', password: 'whatever-1' }).expect(401);
      const failed = (await t.db.query(
        `SELECT tenant_id FROM audit_logs WHERE action = 'auth.login_failed' AND new_values->>'email' = 'nobody@example.test'`,
      )) as { tenant_id: string | null }[];
      expect(failed).toEqual([{ tenant_id: null }]);
    });

    it('a background job / token lookup: crossTenant sees every tenant, then asTenant narrows to the one found', async () => {
      const ctx = systemContext('rls-job');
      const found = await db.crossTenant(ctx, 'test.token_lookup', async (tx) => {
        expect(db.scopeOf(tx)).toEqual({ kind: 'cross-tenant', reason: 'test.token_lookup' });
        expect(await tenantsOf(tx, 'submissions')).toEqual(sorted(two.a.tenant.id, two.b.tenant.id));
        const [row] = (await db
          .manager(tx)
          .query(`SELECT tenant_id FROM users WHERE id = $1`, [two.b.candidate.id])) as {
          tenant_id: string;
        }[];
        return row.tenant_id;
      });
      await db.asTenant(ctx, found, async (tx) => {
        expect(await tenantsOf(tx, 'submissions')).toEqual([two.b.tenant.id]);
      });
    });

    it('the session principal (every request) crosses tenants only for the call', async () => {
      const res = await t.http().get('/auth/me').set(bearer(two.b.adminTokens)).expect(200);
      expect(res.body.tenant_id).toBe(two.b.tenant.id);
      const client = new Client({ connectionString: t.appDatabaseUrl });
      await client.connect();
      try {
        await client.query(`SELECT * FROM session_principal(gen_random_uuid(), gen_random_uuid())`);
        const after = await client.query(`SELECT current_setting('app.cross_tenant', true) AS v`);
        expect(after.rows[0].v ?? '').toBe('');
        expect((await client.query(`SELECT * FROM users`)).rows).toEqual([]);
      } finally {
        await client.end();
      }
    });
  });

  describe('the self-scoping lookups (one round trip on the hot paths)', () => {
    it('login_credentials crosses tenants only for the call, and returns the user with its tenant', async () => {
      const client = new Client({ connectionString: t.appDatabaseUrl });
      await client.connect();
      try {
        const { rows } = await client.query(`SELECT * FROM login_credentials($1)`, [two.b.admin.email.toLowerCase()]);
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ id: two.b.admin.id, tenant_id: two.b.tenant.id, tenant_is_active: true });
        const after = await client.query(`SELECT current_setting('app.cross_tenant', true) AS v`);
        expect(after.rows[0].v ?? '').toBe('');
        expect((await client.query(`SELECT * FROM users`)).rows).toEqual([]);
      } finally {
        await client.end();
      }
    });

    it('login_record writes session, token, audit row and last_login as the tenant named, and nothing when the user is not in it', async () => {
      const client = new Client({ connectionString: t.appDatabaseUrl });
      await client.connect();
      const call = (userId: string, tenantId: string, hash: string) =>
        client.query(`SELECT * FROM login_record($1, $2, $3, $4, now(), now() + interval '1 day', $5, NULL, $6)`, [
          userId,
          tenantId,
          '203.0.113.7',
          'rls-spec',
          hash,
          'rls-login-record',
        ]);
      const owner = new Client({ connectionString: t.databaseUrl });
      await owner.connect();
      try {
        const hashA = 'a'.repeat(64);
        const { rows } = await call(two.b.admin.id, two.b.tenant.id, hashA);
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({
          user_id: two.b.admin.id,
          tenant_id: two.b.tenant.id,
          ip_address: '203.0.113.7',
        });
        expect(rows[0].last_login).toBeInstanceOf(Date);
        // The scope was the call's only: afterwards the connection sees no tenant's rows.
        const after = await client.query(
          `SELECT current_setting('app.tenant_id', true) AS t, current_setting('app.cross_tenant', true) AS c`,
        );
        expect([after.rows[0].t ?? '', after.rows[0].c ?? '']).toEqual(['', '']);
        expect((await client.query(`SELECT * FROM sessions`)).rows).toEqual([]);
        const written = await owner.query(
          `SELECT s.tenant_id, r.token_hash, a.action, a.resource_id, a.request_id, u.last_login
             FROM sessions s JOIN refresh_tokens r ON r.session_id = s.id
             JOIN audit_logs a ON a.resource_id = s.id JOIN users u ON u.id = s.user_id
            WHERE s.id = $1`,
          [rows[0].id],
        );
        expect(written.rows).toEqual([
          {
            tenant_id: two.b.tenant.id,
            token_hash: hashA,
            action: 'auth.login',
            resource_id: rows[0].id,
            request_id: 'rls-login-record',
            last_login: rows[0].last_login,
          },
        ]);

        // Tenant b's admin presented as tenant a's: an error (P0002), and not a row written anywhere.
        const hashB = 'b'.repeat(64);
        await expect(call(two.b.admin.id, two.a.tenant.id, hashB)).rejects.toMatchObject({ code: 'P0002' });
        const leaked = await owner.query(
          `SELECT (SELECT count(*) FROM refresh_tokens WHERE token_hash = $1)::int AS tokens,
                  (SELECT count(*) FROM sessions WHERE tenant_id = $2 AND user_id = $3)::int AS sessions,
                  (SELECT count(*) FROM audit_logs WHERE request_id = 'rls-login-record')::int AS audit_rows,
                  (SELECT last_login FROM users WHERE id = $3) AS last_login`,
          [hashB, two.a.tenant.id, two.b.admin.id],
        );
        // Only the first call's audit row, and last_login as the first call left it.
        expect(leaked.rows).toEqual([{ tokens: 0, sessions: 0, audit_rows: 1, last_login: rows[0].last_login }]);
      } finally {
        await client.end();
        await owner.end();
      }
    });

    it('unitScopedBy(invitation_by_token): the unit is scoped to the invitation’s tenant, and sees nothing else', async () => {
      const test = await createTestWithQuestions(t, { tenantId: two.b.tenant.id });
      const invitation = await createInvitationRow(t, { tenantId: two.b.tenant.id, testId: test.testId });
      const ctx = systemContext('rls-token');
      const found = await db.unitScopedBy<{ id: string; tenant_id: string }, RequestContext, string[]>(
        ctx,
        { fn: 'invitation_by_token', args: [hashInvitationToken(invitation.token), 'share'] },
        async (tx, row) => {
          expect(row.id).toBe(invitation.id);
          expect(db.scopeOf(tx)).toEqual({ kind: 'tenant', tenantId: two.b.tenant.id });
          const [setting] = (await db.manager(tx).query(`SELECT current_setting('app.cross_tenant', true) AS c`)) as {
            c: string;
          }[];
          expect(setting.c ?? '').toBe('');
          return tenantsOf(tx, 'submissions');
        },
      );
      expect(found).toEqual({ found: true, value: [two.b.tenant.id] });

      const miss = await db.unitScopedBy(
        ctx,
        { fn: 'invitation_by_token', args: [hashInvitationToken('x'.repeat(43)), 'none'] },
        async () => 'never',
      );
      expect(miss).toEqual({ found: false });
    });

    it('unitScopedBy inlines only Buffers and plain words', async () => {
      await expect(
        db.unitScopedBy(
          systemContext('rls-token'),
          { fn: 'invitation_by_token', args: [Buffer.alloc(32), "x'; --"] },
          () => Promise.resolve(1),
        ),
      ).rejects.toThrow(UnitOfWorkError);
    });
  });

  describe('units of work are explicit', () => {
    it('db.manager / db.repo outside a unit of work throw', () => {
      expect(() => db.repo(systemContext('none'), UserEntity)).toThrow(UnitOfWorkError);
      expect(() => db.manager(systemContext('none'))).toThrow(UnitOfWorkError);
    });

    it('a reason is free text, quoted safely; the transaction carries it', async () => {
      const reason = "invitations: it's the token's lookup; DROP TABLE users; --";
      const [row] = (await db.crossTenant(systemContext('rls-reason'), reason, (tx) =>
        db.manager(tx).query(`SELECT current_setting('app.cross_tenant') AS reason`),
      )) as { reason: string }[];
      expect(row.reason).toBe(reason);
      expect(() => db.crossTenant(systemContext('rls-reason'), 'a\\b', async () => undefined)).toThrow(UnitOfWorkError);
    });

    it('db.transaction needs an authenticated caller; crossTenant needs a reason', () => {
      expect(() => db.transaction(systemContext('anon'), async () => undefined)).toThrow(UnitOfWorkError);
      expect(() => db.crossTenant(systemContext('anon'), '', async () => undefined)).toThrow(UnitOfWorkError);
    });

    it("a tenant's unit of work never widens: nested crossTenant or another tenant's asTenant throw", async () => {
      await db.transaction(contextOf(two.a.admin), async (tx) => {
        expect(() => db.crossTenant(tx, 'test.widen', async () => undefined)).toThrow(UnitOfWorkError);
        expect(() => db.asTenant(tx, two.b.tenant.id, async () => undefined)).toThrow(UnitOfWorkError);
        await db.asTenant(tx, two.a.tenant.id, async (inner) => expect(inner).toBe(tx));
      });
    });

    it('asTenant inside a cross-tenant unit narrows it to that tenant for its work, then widens back', async () => {
      await db.crossTenant(systemContext('rls-narrow'), 'test.narrow', async (tx) => {
        const found = two.b.tenant.id;
        await db.asTenant(tx, found, async (inner) => {
          expect(db.scopeOf(inner)).toEqual({ kind: 'tenant', tenantId: found });
          expect(await tenantsOf(inner, 'submissions')).toEqual([found]);
          const foreign = (await db
            .manager(inner)
            .query(`SELECT id FROM users WHERE tenant_id = $1`, [two.a.tenant.id])) as unknown[];
          expect(foreign).toEqual([]);
        });
        expect(db.scopeOf(tx)).toEqual({ kind: 'cross-tenant', reason: 'test.narrow' });
        expect(await tenantsOf(tx, 'submissions')).toEqual(sorted(two.a.tenant.id, two.b.tenant.id));
      });
    });

    it('a superadmin’s unit of work is cross-tenant (reason superadmin)', async () => {
      await db.transaction(contextOf(two.superadmin), async (tx) => {
        expect(db.scopeOf(tx)).toEqual({ kind: 'cross-tenant', reason: 'superadmin' });
        expect(await tenantsOf(tx, 'submissions')).toEqual(sorted(two.a.tenant.id, two.b.tenant.id));
      });
    });

    it('the scope does not outlive its transaction on the pooled connection', async () => {
      await db.asTenant(systemContext('rls-1'), two.a.tenant.id, async () => undefined);
      await db.crossTenant(systemContext('rls-2'), 'test.reset', async () => undefined);
      const pool = (db.dataSource.driver as unknown as { master: { query(sql: string): Promise<{ rows: unknown[] }> } })
        .master;
      const { rows } = await pool.query(
        `SELECT coalesce(current_setting('app.tenant_id', true), '') AS t,
                coalesce(current_setting('app.cross_tenant', true), '') AS c`,
      );
      expect(rows).toEqual([{ t: '', c: '' }]);
    });
  });

  describe('the boot check of the serving role', () => {
    const adminUrl = () => t.databaseUrl;

    it('production refuses a superuser (ConfigError: exit 78), naming the fix', async () => {
      const error = await checkServingRole(adminUrl(), 'production').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/DATABASE_URL.*superuser.*NOBYPASSRLS.*DATABASE_MIGRATION_URL/s);
    });

    it('development and test warn loudly instead', async () => {
      expect(await checkServingRole(adminUrl(), 'development')).toMatch(/superuser.*row-level security/);
      expect(await checkServingRole(adminUrl(), 'test')).toMatch(/superuser/);
    });

    it('the plain application role passes', async () => {
      expect(await checkServingRole(t.appDatabaseUrl, 'production')).toBeNull();
    });
  });
});
