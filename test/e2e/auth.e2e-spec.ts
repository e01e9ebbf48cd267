import { createHash } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import * as bcrypt from 'bcrypt';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { SYSTEM_TENANT_ID } from '../../src/domain/tenancy';
import { bearer, createTenant, createUser, DEFAULT_PASSWORD, loginAs, Tokens, UserRow } from '../setup/factories';
import { dbRow } from '../setup/fixtures';
import { createTestApp, TEST_SECRET, TestApp } from '../setup/test-app';

/*
 * Identity and sessions (README, "Security model") and the auth routes. Rate limits have their own spec (rate-limit.e2e-spec.ts);
 * here they are raised out of the way so repeated failed logins and refreshes are not throttled.
 */

const UA = 'trajectorie-auth-e2e/1.0';
const LOCALHOST = /^(::ffff:127\.0\.0\.1|127\.0\.0\.1|::1)$/;
const PREFIXES = ['/auth', '/api/auth'] as const;
const USER_KEYS = [
  'candidate_id',
  'candidate_name',
  'client_name',
  'created_at',
  'email',
  'full_name',
  'id',
  'is_active',
  'language_code',
  'last_login',
  'preferred_language',
  'role',
  'tenant_id',
  'updated_at',
];
const NO_LIMITS = {
  RATE_LIMIT_LOGIN_ACCOUNT_LIMIT: '100000',
  RATE_LIMIT_LOGIN_IP_LIMIT: '100000',
  RATE_LIMIT_REFRESH_LIMIT: '100000',
  RATE_LIMIT_REGISTER_LIMIT: '100000',
};

const sha256 = (value: string) => createHash('sha256').update(value, 'utf8').digest('hex');
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const unique = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

interface AccessClaims {
  sub: string;
  sid: string;
  tid: string;
  role: string;
  typ: string;
  iat: number;
  exp: number;
}

function claimsOf(token: string): AccessClaims {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

function headerOf(token: string): { alg: string; typ?: string } {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8'));
}

/** No response may ever carry a password hash, a refresh-token hash or the sealed successor. */
function expectNoSecrets(res: Response): void {
  const text = JSON.stringify(res.body);
  expect(text).not.toMatch(/password_hash|token_hash|successor_cipher|\$2[aby]\$/);
}

function expectError(res: Response, status: number, code: string): void {
  expect(res.status).toBe(status);
  expect(res.body).toEqual({
    status_code: status,
    code,
    detail: expect.any(String),
    path: expect.any(String),
    request_id: res.headers['x-request-id'],
    ...(res.body.errors ? { errors: expect.any(Array) } : {}),
  });
  if (status === 401) expect(res.headers['www-authenticate']).toBe('Bearer');
}

async function sessionRow(db: DataSource, id: string) {
  return (await dbRow(db, 'sessions', id)) as {
    id: string;
    user_id: string;
    tenant_id: string;
    ip_address: string | null;
    user_agent: string | null;
    expires_at: Date;
    revoked_at: Date | null;
    revoke_reason: string | null;
  };
}

async function auditRows(db: DataSource, where: { action: string; requestId?: string; resourceId?: string }) {
  return db.query(
    `SELECT * FROM audit_logs WHERE action = $1 AND ($2::text IS NULL OR request_id = $2) AND ($3::uuid IS NULL OR resource_id = $3)
      ORDER BY created_at`,
    [where.action, where.requestId ?? null, where.resourceId ?? null],
  );
}

async function userCount(db: DataSource, email: string): Promise<number> {
  const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM users WHERE email = lower($1)`, [email]);
  return count;
}

describe('Auth (e2e)', () => {
  let t: TestApp;
  const jwt = new JwtService();

  // BCRYPT_COST 8: slow enough that bcrypt dominates a login, so the timing test below means something.
  beforeAll(async () => {
    t = await createTestApp({ BCRYPT_COST: '8', ...NO_LIMITS });
  });
  afterAll(() => t.close());

  const post = (path: string, body: object = {}) => t.http().post(path).set('User-Agent', UA).send(body);
  const login = (body: object, prefix = '/auth') => post(`${prefix}/login`, body);
  const refresh = (token: string, prefix = '/auth') => post(`${prefix}/refresh`, { refresh_token: token });
  const me = (token: string, prefix = '/auth') => t.http().get(`${prefix}/me`).set('Authorization', `Bearer ${token}`);
  const sign = (payload: object, options: { secret?: string; algorithm?: 'HS256' | 'HS512' } = {}) =>
    jwt.sign(payload as Record<string, unknown>, {
      secret: options.secret ?? TEST_SECRET,
      algorithm: options.algorithm ?? 'HS256',
    });

  describe('role dialects', () => {
    it('a candidate is "applicant" on every /api/auth response (login, refresh, me) and "candidate" on /auth', async () => {
      const user = await createUser(t.db, { role: 'candidate' });
      const second = await login({ email: user.email, password: user.password }, '/api/auth').expect(200);
      expect(second.body.user).toMatchObject({ id: user.id, role: 'applicant' });
      expect(claimsOf(second.body.access_token).role).toBe('candidate');
      const refreshed = await refresh(second.body.refresh_token, '/api/auth').expect(200);
      expect(refreshed.body.user.role).toBe('applicant');
      expect((await me(refreshed.body.access_token, '/api/auth').expect(200)).body.role).toBe('applicant');

      const first = await login({ email: user.email, password: user.password }).expect(200);
      expect(first.body.user.role).toBe('candidate');
      expect((await me(first.body.access_token).expect(200)).body.role).toBe('candidate');
      expect((await t.db.query(`SELECT role FROM users WHERE id = $1`, [user.id]))[0].role).toBe('candidate');

      const staff = await createUser(t.db, { role: 'admin' });
      const admin = await login({ email: staff.email, password: staff.password }, '/api/auth').expect(200);
      expect(admin.body.user.role).toBe('admin');
    });
  });

  describe('POST login', () => {
    it('upgrades a password hash made at another bcrypt cost on the next successful login', async () => {
      const user = await createUser(t.db, { role: 'candidate' }); // factory hashes at cost 4; the app runs at 8
      const rounds = async () =>
        bcrypt.getRounds(
          (await t.db.query(`SELECT password_hash FROM users WHERE id = $1`, [user.id]))[0].password_hash,
        );
      expect(await rounds()).toBe(4);
      await login({ email: user.email, password: 'wrong-password' }).expect(401);
      expect(await rounds()).toBe(4);
      await login({ email: user.email, password: user.password }).expect(200);
      expect(await rounds()).toBe(8);
      await login({ email: user.email, password: user.password }).expect(200);
    });

    it.each(PREFIXES)('%s/login returns the login shape, sets last_login and opens a session', async (prefix) => {
      const user = await createUser(t.db, { role: 'admin' });
      const before = Date.now();
      const res = await login({ email: user.email, password: user.password }, prefix).expect(200);

      expect(Object.keys(res.body).sort()).toEqual([
        'access_token',
        'expires_in',
        'refresh_token',
        'token_type',
        'user',
      ]);
      expect(res.body).toMatchObject({ token_type: 'bearer', expires_in: 15 * 60 });
      expect(Object.keys(res.body.user).sort()).toEqual(USER_KEYS);
      expect(res.body.user).toMatchObject({
        id: user.id,
        email: user.email,
        role: 'admin',
        tenant_id: SYSTEM_TENANT_ID,
        client_name: 'System',
        full_name: user.full_name,
        candidate_name: user.full_name,
        is_active: true,
      });
      expect(new Date(res.body.user.last_login).getTime()).toBeGreaterThanOrEqual(before - 1000);
      expectNoSecrets(res);

      const header = headerOf(res.body.access_token);
      expect(header.alg).toBe('HS256');
      const claims = claimsOf(res.body.access_token);
      expect(claims).toMatchObject({ sub: user.id, tid: SYSTEM_TENANT_ID, role: 'admin', typ: 'access' });
      expect(claims.exp - claims.iat).toBe(15 * 60);

      const [dbUser] = await t.db.query(`SELECT last_login FROM users WHERE id = $1`, [user.id]);
      expect(dbUser.last_login).not.toBeNull();
      expect(dbUser.last_login.getTime()).toBeGreaterThanOrEqual(before - 1000);

      const session = await sessionRow(t.db, claims.sid);
      expect(session).toMatchObject({
        user_id: user.id,
        tenant_id: SYSTEM_TENANT_ID,
        user_agent: UA,
        revoked_at: null,
      });
      expect(session.ip_address).toMatch(LOCALHOST);
      const days = (session.expires_at.getTime() - before) / 86_400_000;
      expect(days).toBeGreaterThan(6.99);
      expect(days).toBeLessThan(7.01);

      // The refresh token is stored only as its SHA-256.
      const tokens = await t.db.query(`SELECT token_hash FROM refresh_tokens WHERE session_id = $1`, [claims.sid]);
      expect(tokens).toEqual([{ token_hash: sha256(res.body.refresh_token) }]);
      expect(Buffer.from(res.body.refresh_token, 'base64url')).toHaveLength(32);
    });

    it('gives identical 401 bodies for an unknown e-mail and a wrong password', async () => {
      const user = await createUser(t.db);
      const unknown = await login({ email: `nobody-${unique()}@example.test`, password: DEFAULT_PASSWORD });
      const wrong = await login({ email: user.email, password: 'Wrong-password-1' });
      for (const res of [unknown, wrong]) {
        expectError(res, 401, 'INVALID_CREDENTIALS');
        expectNoSecrets(res);
      }
      const strip = ({ request_id: _id, ...rest }: Record<string, unknown>) => rest;
      expect(strip(unknown.body)).toEqual(strip(wrong.body));
      expect(unknown.body.detail).toBe('Incorrect email or password');
      const [{ count }] = await t.db.query(`SELECT count(*)::int AS count FROM sessions WHERE user_id = $1`, [user.id]);
      expect(count).toBe(0);
    });

    it('spends about the same time on an unknown e-mail as on a wrong password (dummy-hash comparison)', async () => {
      expect(t.config.auth.bcryptCost).toBe(8);
      const user = await createUser(t.db);
      // The account's hash must have the configured cost, as a real one would.
      await t.db.query(`UPDATE users SET password_hash = $1 WHERE id = $2`, [
        bcrypt.hashSync(user.password, 8),
        user.id,
      ]);
      const timed = async (email: string) => {
        const start = process.hrtime.bigint();
        const res = await login({ email, password: 'Wrong-password-1' });
        expect(res.status).toBe(401);
        return Number(process.hrtime.bigint() - start) / 1e6;
      };
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
      // Warm-up: the dummy hash (verifyAgainstDummyHash) is made on first use.
      await timed(`nobody-${unique()}@example.test`);
      await timed(user.email);
      const measure = async () => {
        const unknownMs: number[] = [];
        const wrongMs: number[] = [];
        for (let i = 0; i < 9; i++) {
          unknownMs.push(await timed(`nobody-${unique()}@example.test`));
          wrongMs.push(await timed(user.email));
        }
        return median(unknownMs) / median(wrongMs);
      };
      // Timing on a shared CI machine is noisy: up to three rounds, the last one decides. Without the dummy-hash comparison the
      // unknown-e-mail path is several times faster in every round, so a retry cannot hide that regression.
      let ratio = await measure();
      for (let round = 1; round < 3 && (ratio <= 0.5 || ratio >= 2); round++) ratio = await measure();
      expect(ratio).toBeGreaterThan(0.5);
      expect(ratio).toBeLessThan(2);
    });

    it('refuses an inactive user and a user of an inactive tenant with the same 401, opening no session', async () => {
      const inactive = await createUser(t.db, { isActive: false });
      const tenant = await createTenant(t.db, { is_active: false });
      const orphan = await createUser(t.db, { role: 'admin', tenantId: tenant.id });
      for (const user of [inactive, orphan]) {
        const res = await login({ email: user.email, password: user.password });
        expectError(res, 401, 'INVALID_CREDENTIALS');
        expect(res.body.detail).toBe('Incorrect email or password');
        const [{ count }] = await t.db.query(`SELECT count(*)::int AS count FROM sessions WHERE user_id = $1`, [
          user.id,
        ]);
        expect(count).toBe(0);
        const [row] = await auditRows(t.db, { action: 'auth.login_failed', requestId: res.headers['x-request-id'] });
        expect(row.new_values).toEqual({ email: user.email, reason: 'inactive' });
      }
    });

    it('rejects a password over 72 bytes with 400 and errors[] (bytes, not characters)', async () => {
      const user = await createUser(t.db);
      const res = await login({ email: user.email, password: 'é'.repeat(37) }); // 37 characters, 74 bytes
      expectError(res, 400, 'VALIDATION_ERROR');
      expect(res.body.errors).toEqual([{ field: 'password', message: 'password must be at most 72 bytes long' }]);
      const atLimit = await login({ email: user.email, password: 'é'.repeat(36) }); // exactly 72 bytes
      expectError(atLimit, 401, 'INVALID_CREDENTIALS');
    });

    it('rejects unknown and missing body fields with 400 VALIDATION_ERROR', async () => {
      const user = await createUser(t.db);
      const extra = await login({ email: user.email, password: user.password, role: 'superadmin' });
      expectError(extra, 400, 'VALIDATION_ERROR');
      expect(extra.body.errors).toEqual([{ field: 'role', message: 'unknown field "role"' }]);
      const missing = await login({ email: user.email });
      expectError(missing, 400, 'VALIDATION_ERROR');
      expect(missing.body.errors.map((e: { field: string }) => e.field)).toContain('password');
      const notEmail = await login({ email: 'not-an-email', password: 'x' });
      expectError(notEmail, 400, 'VALIDATION_ERROR');
    });

    it('treats the e-mail case-insensitively (and trims it)', async () => {
      const user = await createUser(t.db);
      const res = await login({ email: `  ${user.email.toUpperCase()} `, password: user.password }, '/api/auth').expect(
        200,
      );
      expect(res.body.user.id).toBe(user.id);
      expect(res.body.user.email).toBe(user.email);
    });
  });

  describe('access tokens', () => {
    let user: UserRow;
    let tokens: Tokens;
    let claims: AccessClaims;

    beforeAll(async () => {
      user = await createUser(t.db);
      tokens = await loginAs(t, user);
      claims = claimsOf(tokens.access_token);
    });

    it.each(PREFIXES)('%s/me without a token is 401 NOT_AUTHENTICATED with WWW-Authenticate', async (prefix) => {
      expectError(await t.http().get(`${prefix}/me`), 401, 'NOT_AUTHENTICATED');
      expectError(
        await t
          .http()
          .get(`${prefix}/me`)
          .set('Authorization', `Basic ${b64({})}`),
        401,
        'NOT_AUTHENTICATED',
      );
    });

    it('accepts a token hand-signed with the same claims (control for the forgeries below)', async () => {
      const { iat: _iat, exp: _exp, ...payload } = claims;
      const res = await me(sign({ ...payload, exp: Math.floor(Date.now() / 1000) + 60 })).expect(200);
      expect(res.body.id).toBe(user.id);
    });

    it('refuses a bad signature', async () => {
      expectError(await me(sign(claims, { secret: 'some-other-secret-that-is-long-enough' })), 401, 'INVALID_TOKEN');
      const [h, p, s] = tokens.access_token.split('.');
      const flipped = `${h}.${p}.${s.slice(0, 10)}${s[10] === 'A' ? 'B' : 'A'}${s.slice(11)}`;
      expectError(await me(flipped), 401, 'INVALID_TOKEN');
    });

    it('refuses alg "none" and any algorithm other than HS256', async () => {
      const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
      expectError(await me(none), 401, 'INVALID_TOKEN');
      const noneWithSig = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.${tokens.access_token.split('.')[2]}`;
      expectError(await me(noneWithSig), 401, 'INVALID_TOKEN');
      expectError(await me(sign(claims, { algorithm: 'HS512' })), 401, 'INVALID_TOKEN');
    });

    it('refuses an expired token with TOKEN_EXPIRED', async () => {
      const now = Math.floor(Date.now() / 1000);
      const res = await me(sign({ ...claims, iat: now - 120, exp: now - 60 }));
      expectError(res, 401, 'TOKEN_EXPIRED');
    });

    it('refuses the refresh token used as a bearer token', async () => {
      expectError(await me(tokens.refresh_token), 401, 'INVALID_TOKEN');
    });

    it('refuses a correctly signed token whose typ is not "access"', async () => {
      for (const typ of ['refresh', undefined]) {
        expectError(await me(sign({ ...claims, typ })), 401, 'INVALID_TOKEN');
      }
    });

    it("refuses a token that pairs one user's id with another user's session", async () => {
      const other = await loginAs(t, await createUser(t.db));
      const res = await me(sign({ ...claims, sid: claimsOf(other.access_token).sid }));
      expectError(res, 401, 'SESSION_REVOKED');
    });

    it('refuses a token whose session was revoked', async () => {
      const own = await loginAs(t, user);
      await me(own.access_token).expect(200);
      await t.db.query(`UPDATE sessions SET revoked_at = now(), revoke_reason = 'logout' WHERE id = $1`, [
        claimsOf(own.access_token).sid,
      ]);
      expectError(await me(own.access_token), 401, 'SESSION_REVOKED');
      await me(tokens.access_token).expect(200); // the user's other session is untouched
    });
  });

  describe('POST refresh', () => {
    it.each(PREFIXES)('%s/refresh rotates the token and returns the login shape', async (prefix) => {
      const user = await createUser(t.db, { role: 'proctor' });
      const first = await loginAs(t, user);
      const res = await refresh(first.refresh_token, prefix).expect(200);

      expect(Object.keys(res.body).sort()).toEqual([
        'access_token',
        'expires_in',
        'refresh_token',
        'token_type',
        'user',
      ]);
      expect(res.body).toMatchObject({ token_type: 'bearer', expires_in: 900, user: { id: user.id, role: 'proctor' } });
      expect(Object.keys(res.body.user).sort()).toEqual(USER_KEYS);
      expectNoSecrets(res);
      expect(res.body.refresh_token).not.toBe(first.refresh_token);
      const sid = claimsOf(first.access_token).sid;
      expect(claimsOf(res.body.access_token)).toMatchObject({ sid, sub: user.id, typ: 'access' });
      await me(res.body.access_token).expect(200);

      const rows = await t.db.query(
        `SELECT id, token_hash, rotated_at, successor_id FROM refresh_tokens WHERE session_id = $1 ORDER BY created_at`,
        [sid],
      );
      expect(rows).toHaveLength(2);
      const [old, successor] = rows;
      expect(old.token_hash).toBe(sha256(first.refresh_token));
      expect(old.rotated_at).not.toBeNull();
      expect(old.successor_id).toBe(successor.id);
      expect(successor).toMatchObject({ token_hash: sha256(res.body.refresh_token), rotated_at: null });

      const [audit] = await auditRows(t.db, { action: 'auth.refresh', requestId: res.headers['x-request-id'] });
      expect(audit).toMatchObject({ resource_id: sid, user_id: user.id, tenant_id: SYSTEM_TENANT_ID });
    });

    it('gives two concurrent refreshes with the same token the same successor (grace window)', async () => {
      const first = await loginAs(t, await createUser(t.db));
      const [a, b] = await Promise.all([refresh(first.refresh_token), refresh(first.refresh_token, '/api/auth')]);
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      expect(a.body.refresh_token).toBe(b.body.refresh_token);
      expect(a.body.refresh_token).not.toBe(first.refresh_token);

      const sid = claimsOf(first.access_token).sid;
      expect((await sessionRow(t.db, sid)).revoked_at).toBeNull();
      const [{ count }] = await t.db.query(`SELECT count(*)::int AS count FROM refresh_tokens WHERE session_id = $1`, [
        sid,
      ]);
      expect(count).toBe(2); // one rotation, not two
      // Inside the window a late third presentation of the old token also gets that successor.
      const late = await refresh(first.refresh_token).expect(200);
      expect(late.body.refresh_token).toBe(a.body.refresh_token);
      // The shared successor is a working refresh token.
      const next = await refresh(a.body.refresh_token).expect(200);
      await me(next.body.access_token).expect(200);
    });

    it('treats an old token as reuse once its successor has rotated, even inside the window', async () => {
      const user = await createUser(t.db);
      const first = await loginAs(t, user);
      const second = (await refresh(first.refresh_token).expect(200)).body;
      const third = (await refresh(second.refresh_token).expect(200)).body;
      const res = await refresh(first.refresh_token);
      expectError(res, 401, 'INVALID_REFRESH_TOKEN');
      const sid = claimsOf(first.access_token).sid;
      expect(await sessionRow(t.db, sid)).toMatchObject({ revoke_reason: 'refresh_token_reuse' });
      expectError(await refresh(third.refresh_token), 401, 'INVALID_REFRESH_TOKEN');
      expectError(await me(third.access_token), 401, 'SESSION_REVOKED');
    });

    it('refuses a garbage, empty or missing refresh token', async () => {
      const garbage = await refresh('definitely-not-a-refresh-token');
      expectError(garbage, 401, 'INVALID_REFRESH_TOKEN');
      expectError(await refresh(''), 400, 'VALIDATION_ERROR');
      expectError(await post('/auth/refresh', {}), 400, 'VALIDATION_ERROR');
      expectError(await post('/auth/refresh', { refresh_token: 'x', extra: 1 }), 400, 'VALIDATION_ERROR');
    });

    it("refuses to refresh a deactivated user's session, or one in a deactivated tenant", async () => {
      const user = await createUser(t.db);
      const tokens = await loginAs(t, user);
      await t.db.query(`UPDATE users SET is_active = false WHERE id = $1`, [user.id]);
      expectError(await refresh(tokens.refresh_token), 401, 'INVALID_REFRESH_TOKEN');
      const [{ count }] = await t.db.query(
        `SELECT count(*)::int AS count FROM refresh_tokens WHERE session_id = $1 AND rotated_at IS NOT NULL`,
        [claimsOf(tokens.access_token).sid],
      );
      expect(count).toBe(0); // nothing was rotated

      const tenant = await createTenant(t.db);
      const admin = await createUser(t.db, { role: 'admin', tenantId: tenant.id });
      const adminTokens = await loginAs(t, admin);
      await t.db.query(`UPDATE tenants SET is_active = false WHERE id = $1`, [tenant.id]);
      expectError(await refresh(adminTokens.refresh_token), 401, 'INVALID_REFRESH_TOKEN');
    });

    it('refuses a session past its absolute expiry', async () => {
      const tokens = await loginAs(t, await createUser(t.db));
      const sid = claimsOf(tokens.access_token).sid;
      await t.db.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [sid]);
      expectError(await refresh(tokens.refresh_token), 401, 'INVALID_REFRESH_TOKEN');
      expectError(await me(tokens.access_token), 401, 'SESSION_REVOKED');
    });
  });

  describe('POST logout', () => {
    it.each(PREFIXES)('%s/logout revokes the session: access and refresh tokens stop working', async (prefix) => {
      const user = await createUser(t.db);
      const tokens = await loginAs(t, user);
      const sid = claimsOf(tokens.access_token).sid;
      const res = await t.http().post(`${prefix}/logout`).set(bearer(tokens)).set('User-Agent', UA).expect(200);
      expect(res.body).toEqual({ message: 'Logged out successfully' });

      expectError(await me(tokens.access_token), 401, 'SESSION_REVOKED');
      expectError(await refresh(tokens.refresh_token), 401, 'INVALID_REFRESH_TOKEN');
      const session = await sessionRow(t.db, sid);
      expect(session.revoked_at).not.toBeNull();
      expect(session.revoke_reason).toBe('logout');

      const [audit] = await auditRows(t.db, { action: 'auth.logout', requestId: res.headers['x-request-id'] });
      expect(audit).toMatchObject({ resource_id: sid, user_id: user.id, tenant_id: SYSTEM_TENANT_ID, user_agent: UA });
      expect(audit.ip_address).toMatch(LOCALHOST);
    });

    it("accepts the first seed's {refresh_token} body, rejects unknown fields, and needs a token", async () => {
      const tokens = await loginAs(t, await createUser(t.db));
      expectError(await t.http().post('/auth/logout').set(bearer(tokens)).send({ foo: 1 }), 400, 'VALIDATION_ERROR');
      expectError(await t.http().post('/auth/logout').send({}), 401, 'NOT_AUTHENTICATED');
      await t.http().post('/auth/logout').set(bearer(tokens)).send({ refresh_token: tokens.refresh_token }).expect(200);
      expect((await sessionRow(t.db, claimsOf(tokens.access_token).sid)).revoke_reason).toBe('logout');
    });
  });

  describe('GET me', () => {
    it('returns the caller at both prefixes, without secrets', async () => {
      const tenant = await createTenant(t.db);
      const user = await createUser(t.db, { role: 'admin', tenantId: tenant.id });
      const tokens = await loginAs(t, user);
      for (const prefix of PREFIXES) {
        const res = await me(tokens.access_token, prefix).expect(200);
        expect(res.body).toEqual(tokens.user);
        expect(res.body).toMatchObject({ id: user.id, tenant_id: tenant.id, client_name: tenant.name, role: 'admin' });
        expectNoSecrets(res);
      }
    });
  });

  describe('POST register (public registration off, the default)', () => {
    it('is 403 REGISTRATION_DISABLED and creates no user', async () => {
      const email = `reg-${unique()}@example.test`;
      const res = await post('/auth/register', { email, password: 'Password-123', full_name: 'Reg User' });
      expectError(res, 403, 'REGISTRATION_DISABLED');
      expect(await userCount(t.db, email)).toBe(0);
    });
  });

  describe('sessions', () => {
    it('lists only live own sessions, flagging the current one, at both prefixes', async () => {
      const user = await createUser(t.db);
      const a = await loginAs(t, user);
      const b = await loginAs(t, user);
      const dead = await loginAs(t, user);
      await t.http().post('/auth/logout').set(bearer(dead)).expect(200);
      await loginAs(t, await createUser(t.db)); // someone else's
      for (const prefix of PREFIXES) {
        const res = await t.http().get(`${prefix}/sessions`).set(bearer(a)).expect(200);
        expect(res.body).toHaveLength(2);
        const byId = Object.fromEntries(res.body.map((s: { id: string }) => [s.id, s]));
        expect(byId[claimsOf(a.access_token).sid]).toMatchObject({ current: true });
        expect(byId[claimsOf(b.access_token).sid]).toMatchObject({ current: false });
        for (const session of res.body) {
          expect(Object.keys(session).sort()).toEqual(
            ['created_at', 'current', 'expires_at', 'id', 'ip_address', 'last_used_at', 'user_agent'].sort(),
          );
          expect(session.ip_address).toMatch(LOCALHOST);
        }
      }
    });

    it('DELETE of another own session is 204 and kills its access token', async () => {
      const user = await createUser(t.db);
      const a = await loginAs(t, user);
      const b = await loginAs(t, user);
      const sidB = claimsOf(b.access_token).sid;
      const res = await t.http().delete(`/api/auth/sessions/${sidB}`).set(bearer(a)).expect(204);
      expect(res.text).toBe('');
      expectError(await me(b.access_token), 401, 'SESSION_REVOKED');
      expectError(await refresh(b.refresh_token), 401, 'INVALID_REFRESH_TOKEN');
      expect(await sessionRow(t.db, sidB)).toMatchObject({ revoke_reason: 'revoked_by_user' });
      await me(a.access_token).expect(200);
      const list = await t.http().get('/auth/sessions').set(bearer(a)).expect(200);
      expect(list.body.map((s: { id: string }) => s.id)).toEqual([claimsOf(a.access_token).sid]);
    });

    it("DELETE of someone else's session is 404 and leaves it live", async () => {
      const mine = await loginAs(t, await createUser(t.db));
      const tenant = await createTenant(t.db);
      const theirs = await loginAs(t, await createUser(t.db, { role: 'admin', tenantId: tenant.id }));
      const sid = claimsOf(theirs.access_token).sid;
      const res = await t.http().delete(`/auth/sessions/${sid}`).set(bearer(mine));
      expectError(res, 404, 'SESSION_NOT_FOUND');
      expect((await sessionRow(t.db, sid)).revoked_at).toBeNull();
      await me(theirs.access_token).expect(200);
      expectError(
        await t.http().delete('/auth/sessions/00000000-0000-4000-8000-000000000000').set(bearer(mine)),
        404,
        'SESSION_NOT_FOUND',
      );
    });

    it('rejects a malformed session id with 400 and a missing token with 401', async () => {
      const tokens = await loginAs(t, await createUser(t.db));
      const res = await t.http().delete('/auth/sessions/not-a-uuid').set(bearer(tokens));
      expectError(res, 400, 'INVALID_ID');
      expect(res.body.errors).toEqual([{ field: 'id', message: 'id must be a UUID' }]);
      expectError(await t.http().get('/auth/sessions'), 401, 'NOT_AUTHENTICATED');
      expectError(
        await t.http().delete(`/auth/sessions/${claimsOf(tokens.access_token).sid}`),
        401,
        'NOT_AUTHENTICATED',
      );
    });
  });

  describe('POST change-password', () => {
    const change = (tokens: Tokens, body: object, prefix = '/auth') =>
      t.http().post(`${prefix}/change-password`).set(bearer(tokens)).send(body);
    const hashOf = async (id: string) =>
      (await t.db.query(`SELECT password_hash FROM users WHERE id = $1`, [id]))[0].password_hash as string;

    it('refuses a wrong current password with 400 and changes nothing', async () => {
      const user = await createUser(t.db);
      const a = await loginAs(t, user);
      const b = await loginAs(t, user);
      const before = await hashOf(user.id);
      const res = await change(a, { current_password: 'Not-the-password', new_password: 'Brand-new-pass-1' });
      expectError(res, 400, 'INVALID_CURRENT_PASSWORD');
      expect(res.body.errors).toEqual([{ field: 'current_password', message: 'current_password is incorrect' }]);
      expect(await hashOf(user.id)).toBe(before);
      await me(b.access_token).expect(200);
      await loginAs(t, user);
    });

    it('validates the new password (8 characters to 72 bytes, no unknown fields)', async () => {
      const user = await createUser(t.db);
      const tokens = await loginAs(t, user);
      const before = await hashOf(user.id);
      for (const body of [
        { current_password: user.password, new_password: 'short' },
        { current_password: user.password, new_password: 'x'.repeat(73) },
        { current_password: user.password, new_password: 'Brand-new-pass-1', user_id: user.id },
      ]) {
        expectError(await change(tokens, body), 400, 'VALIDATION_ERROR');
      }
      expect(await hashOf(user.id)).toBe(before);
    });

    it('changes the password and revokes every other session, keeping the current one', async () => {
      const user = await createUser(t.db);
      const current = await loginAs(t, user);
      const other = await loginAs(t, user);
      const newPassword = 'Brand-new-pass-1';
      const res = await change(current, { current_password: user.password, new_password: newPassword }, '/api/auth');
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: 'Password changed' });

      expectError(await me(other.access_token), 401, 'SESSION_REVOKED');
      expectError(await refresh(other.refresh_token), 401, 'INVALID_REFRESH_TOKEN');
      expect(await sessionRow(t.db, claimsOf(other.access_token).sid)).toMatchObject({
        revoke_reason: 'password_changed',
      });
      await me(current.access_token).expect(200);
      expect((await sessionRow(t.db, claimsOf(current.access_token).sid)).revoked_at).toBeNull();

      const hash = await hashOf(user.id);
      expect(hash).toMatch(/^\$2b\$08\$/);
      expect(bcrypt.compareSync(newPassword, hash)).toBe(true);
      await loginAs(t, { email: user.email, password: newPassword });
      expectError(await login({ email: user.email, password: user.password }), 401, 'INVALID_CREDENTIALS');

      const [audit] = await auditRows(t.db, { action: 'user.password_change', requestId: res.headers['x-request-id'] });
      expect(audit).toMatchObject({ resource_id: user.id, user_id: user.id });
      const stored = JSON.stringify(audit);
      expect(stored).not.toContain(newPassword);
      expect(stored).not.toContain(user.password);
      expect(stored).not.toMatch(/\$2[aby]\$/);
    });
  });

  describe('deactivation', () => {
    it('cuts a live access token on its next request (user and tenant)', async () => {
      const user = await createUser(t.db);
      const tokens = await loginAs(t, user);
      await me(tokens.access_token).expect(200);
      await t.db.query(`UPDATE users SET is_active = false WHERE id = $1`, [user.id]);
      expectError(await me(tokens.access_token), 401, 'SESSION_REVOKED');
      expectError(await t.http().get('/auth/sessions').set(bearer(tokens)), 401, 'SESSION_REVOKED');

      const tenant = await createTenant(t.db);
      const admin = await createUser(t.db, { role: 'admin', tenantId: tenant.id });
      const adminTokens = await loginAs(t, admin);
      await me(adminTokens.access_token).expect(200);
      await t.db.query(`UPDATE tenants SET is_active = false WHERE id = $1`, [tenant.id]);
      expectError(await me(adminTokens.access_token), 401, 'SESSION_REVOKED');
    });
  });

  describe('audit trail', () => {
    const expectRequestMeta = (row: { ip_address: string; user_agent: string; request_id: string }, res: Response) => {
      expect(row.ip_address).toMatch(LOCALHOST);
      expect(row.user_agent).toBe(UA);
      expect(row.request_id).toBe(res.headers['x-request-id']);
    };

    it('records login success and failures with IP, user agent and request id, never the password', async () => {
      const user = await createUser(t.db);
      const ok = await login({ email: user.email, password: user.password }).expect(200);
      const [success] = await auditRows(t.db, { action: 'auth.login', requestId: ok.headers['x-request-id'] });
      expect(success).toMatchObject({
        user_id: user.id,
        tenant_id: SYSTEM_TENANT_ID,
        resource_type: 'session',
        resource_id: claimsOf(ok.body.access_token).sid,
      });
      expectRequestMeta(success, ok);

      const wrong = await login({ email: user.email, password: 'Wrong-password-1' });
      const [failed] = await auditRows(t.db, { action: 'auth.login_failed', requestId: wrong.headers['x-request-id'] });
      expect(failed).toMatchObject({ user_id: null, resource_id: user.id, tenant_id: SYSTEM_TENANT_ID });
      expect(failed.new_values).toEqual({ email: user.email, reason: 'wrong_password' });
      expectRequestMeta(failed, wrong);
      expect(JSON.stringify(failed)).not.toContain('Wrong-password-1');

      const email = `nobody-${unique()}@example.test`;
      const unknown = await login({ email, password: 'Wrong-password-1' });
      const [anonymous] = await auditRows(t.db, {
        action: 'auth.login_failed',
        requestId: unknown.headers['x-request-id'],
      });
      expect(anonymous).toMatchObject({ user_id: null, resource_id: null, tenant_id: null });
      expect(anonymous.new_values).toEqual({ email, reason: 'unknown_email' });
      expectRequestMeta(anonymous, unknown);
    });

    it('records refresh and logout with IP, user agent and request id', async () => {
      const user = await createUser(t.db);
      const tokens = await loginAs(t, user);
      const sid = claimsOf(tokens.access_token).sid;
      const refreshed = await refresh(tokens.refresh_token).expect(200);
      const [refreshRow] = await auditRows(t.db, {
        action: 'auth.refresh',
        requestId: refreshed.headers['x-request-id'],
      });
      expect(refreshRow).toMatchObject({ resource_id: sid, user_id: user.id });
      expectRequestMeta(refreshRow, refreshed);
      expect(JSON.stringify(refreshRow)).not.toContain(refreshed.body.refresh_token);

      const out = await t.http().post('/api/auth/logout').set(bearer(refreshed.body)).set('User-Agent', UA).expect(200);
      const [logoutRow] = await auditRows(t.db, { action: 'auth.logout', requestId: out.headers['x-request-id'] });
      expect(logoutRow).toMatchObject({ resource_id: sid, user_id: user.id });
      expectRequestMeta(logoutRow, out);
    });
  });

  describe('refresh-token reuse after the grace window (REFRESH_REUSE_GRACE_SECONDS=0)', () => {
    let g: TestApp;
    beforeAll(async () => {
      g = await createTestApp({ REFRESH_REUSE_GRACE_SECONDS: '0', ...NO_LIMITS });
    });
    afterAll(() => g.close());

    it('revokes the whole session: successor refresh token and access tokens all fail, audited', async () => {
      const user = await createUser(g.db);
      const first = await loginAs(g, user);
      const sid = claimsOf(first.access_token).sid;
      const second = (await g.http().post('/auth/refresh').send({ refresh_token: first.refresh_token }).expect(200))
        .body;
      await g.http().get('/auth/me').set(bearer(second)).expect(200);
      await sleep(20);

      const reuse = await g
        .http()
        .post('/api/auth/refresh')
        .set('User-Agent', UA)
        .send({ refresh_token: first.refresh_token });
      expectError(reuse, 401, 'INVALID_REFRESH_TOKEN');

      const session = await sessionRow(g.db, sid);
      expect(session.revoked_at).not.toBeNull();
      expect(session.revoke_reason).toBe('refresh_token_reuse');
      expectError(
        await g.http().post('/auth/refresh').send({ refresh_token: second.refresh_token }),
        401,
        'INVALID_REFRESH_TOKEN',
      );
      expectError(await g.http().get('/auth/me').set(bearer(second)), 401, 'SESSION_REVOKED');
      expectError(await g.http().get('/auth/me').set(bearer(first)), 401, 'SESSION_REVOKED');

      const [audit] = await auditRows(g.db, { action: 'auth.refresh_token_reuse', resourceId: sid });
      expect(audit).toMatchObject({
        user_id: user.id,
        tenant_id: SYSTEM_TENANT_ID,
        request_id: reuse.headers['x-request-id'],
      });
      expect(audit.new_values).toEqual({ session_revoked: true });
    });

    it("leaves the user's other sessions alone", async () => {
      const user = await createUser(g.db);
      const victim = await loginAs(g, user);
      const bystander = await loginAs(g, user);
      await g.http().post('/auth/refresh').send({ refresh_token: victim.refresh_token }).expect(200);
      await sleep(20);
      await g.http().post('/auth/refresh').send({ refresh_token: victim.refresh_token }).expect(401);
      await g.http().get('/auth/me').set(bearer(bystander)).expect(200);
    });
  });

  describe('POST register (ALLOW_PUBLIC_REGISTRATION=true)', () => {
    let r: TestApp;
    beforeAll(async () => {
      r = await createTestApp({ ALLOW_PUBLIC_REGISTRATION: 'true', ...NO_LIMITS });
    });
    afterAll(() => r.close());

    const register = (body: object, prefix = '/auth') => r.http().post(`${prefix}/register`).send(body);
    const row = async (email: string) =>
      (await r.db.query(`SELECT * FROM users WHERE email = lower($1)`, [email]))[0] as
        | {
            id: string;
            role: string;
            tenant_id: string;
            full_name: string;
            password_hash: string;
            candidate_id: string | null;
          }
        | undefined;

    it.each(PREFIXES)('%s/register creates a candidate in the System tenant (201), password hashed', async (prefix) => {
      const email = `New-${unique()}@Example.test`;
      const password = 'Register-pass-1';
      const res = await register(
        { email, password, full_name: 'New Candidate', candidate_id: `C-${unique()}` },
        prefix,
      );
      expect(res.status).toBe(201);
      expect(Object.keys(res.body).sort()).toEqual(USER_KEYS);
      expect(res.body).toMatchObject({
        email: email.toLowerCase(),
        full_name: 'New Candidate',
        candidate_name: 'New Candidate',
        role: prefix === '/api/auth' ? 'applicant' : 'candidate',
        tenant_id: SYSTEM_TENANT_ID,
        client_name: 'System',
        is_active: true,
        last_login: null,
      });
      expectNoSecrets(res);

      const stored = await row(email);
      expect(stored).toMatchObject({ id: res.body.id, role: 'candidate', tenant_id: SYSTEM_TENANT_ID });
      expect(stored!.password_hash).toMatch(/^\$2b\$\d\d\$/);
      expect(stored!.password_hash).not.toContain(password);
      expect(bcrypt.compareSync(password, stored!.password_hash)).toBe(true);
      const [audit] = await r.db.query(
        `SELECT new_values FROM audit_logs WHERE action = 'user.register' AND resource_id = $1`,
        [res.body.id],
      );
      expect(JSON.stringify(audit)).not.toContain(password);

      const loggedIn = await loginAs(r, { email: email.toUpperCase(), password });
      expect(loggedIn.user.id).toBe(res.body.id);
    });

    it('accepts candidate_name (first seed) in place of full_name, and requires one of them', async () => {
      const email = `cn-${unique()}@example.test`;
      const res = await register({ email, password: 'Register-pass-1', candidate_name: 'Seed One' }).expect(201);
      expect(res.body).toMatchObject({ full_name: 'Seed One', candidate_name: 'Seed One' });
      expect((await row(email))!.full_name).toBe('Seed One');

      const nameless = `nameless-${unique()}@example.test`;
      const missing = await register({ email: nameless, password: 'Register-pass-1' });
      expectError(missing, 400, 'VALIDATION_ERROR');
      expect(missing.body.errors).toEqual([{ field: 'full_name', message: 'full_name or candidate_name is required' }]);
      expect(await row(nameless)).toBeUndefined();
    });

    it('refuses to register staff roles (403, no row) and takes "applicant" as candidate', async () => {
      for (const role of ['admin', 'superadmin', 'proctor']) {
        const email = `${role}-${unique()}@example.test`;
        const res = await register({ email, password: 'Register-pass-1', full_name: 'Wannabe', role });
        expectError(res, 403, 'ROLE_NOT_ALLOWED');
        expect(await row(email)).toBeUndefined();
      }
      const email = `applicant-${unique()}@example.test`;
      const res = await register(
        { email, password: 'Register-pass-1', full_name: 'Applicant', role: 'applicant' },
        '/api/auth',
      );
      expect(res.status).toBe(201);
      expect(res.body.role).toBe('applicant');
      expect((await row(email))!.role).toBe('candidate');
    });

    it('refuses a duplicate e-mail (any case) with 409, keeping one row', async () => {
      const email = `dup-${unique()}@example.test`;
      await register({ email, password: 'Register-pass-1', full_name: 'First' }).expect(201);
      const res = await register({ email: email.toUpperCase(), password: 'Register-pass-2', full_name: 'Second' });
      expectError(res, 409, 'EMAIL_TAKEN');
      expect(await userCount(r.db, email)).toBe(1);
      expect((await row(email))!.full_name).toBe('First');
    });

    it('validates the password (8 characters to 72 bytes) and refuses unknown fields, creating nothing', async () => {
      const cases: [object, string][] = [
        [{ password: 'Short-1' }, 'password'],
        [{ password: 'x'.repeat(73) }, 'password'],
        [{ password: 'é'.repeat(37) }, 'password'],
        [{ password: 'Register-pass-1', tenant_id: SYSTEM_TENANT_ID }, 'tenant_id'],
        [{ password: 'Register-pass-1', is_active: true }, 'is_active'],
      ];
      for (const [extra, field] of cases) {
        const email = `val-${unique()}@example.test`;
        const res = await register({ email, full_name: 'Val', ...extra });
        expectError(res, 400, 'VALIDATION_ERROR');
        expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
        expect(await row(email)).toBeUndefined();
      }
      // 8 characters is enough; exactly 72 bytes is allowed.
      await register({ email: `ok8-${unique()}@example.test`, full_name: 'Ok', password: 'abcdefgh' }).expect(201);
      await register({ email: `ok72-${unique()}@example.test`, full_name: 'Ok', password: 'é'.repeat(36) }).expect(201);
    });
  });
});
