import { randomInt } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import * as bcrypt from 'bcrypt';
import Redis from 'ioredis';
import type { Response } from 'supertest';
import { AuthenticatedContext, UserProfileRow } from '../../src/common/context/request-context';
import { DatabaseService } from '../../src/database/database.service';
import { SubmissionsRepository } from '../../src/modules/submissions/submissions.repository';
import { bearer, createTenant, createUser, loginAs, Tokens, UserRow } from '../setup/factories';
import { storeSubmission } from '../setup/fixtures';
import { createTestApp, TEST_SECRET, TestApp } from '../setup/test-app';

/*
 * Hardening of identity and sessions (README.md, "Authentication" and "Rate limits"): access tokens must carry
 * every claim the app issues, successful logins never trip the failure budget however many run at once,
 * change-password is not an unthrottled password oracle, and the submissions scope cannot be overridden.
 */

const WRONG = 'Wrong-password-1';

function expectError(res: Response, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(res.body).toEqual({
    status_code: status,
    code,
    detail: expect.any(String),
    path: expect.any(String),
    request_id: res.headers['x-request-id'],
    ...(res.body.errors ? { errors: res.body.errors } : {}),
  });
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
}

/** A user whose stored hash is slow to verify (cost 11), so concurrent logins really overlap. */
async function slowHashUser(t: TestApp): Promise<UserRow> {
  const user = await createUser(t.db);
  await t.db.query(`UPDATE users SET password_hash = $2 WHERE id = $1`, [user.id, bcrypt.hashSync(user.password, 11)]);
  return user;
}

describe('Auth hardening (e2e)', () => {
  let t: TestApp;
  const jwt = new JwtService();

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const me = (token: string) => t.http().get('/auth/me').set('Authorization', `Bearer ${token}`);
  const login = (email: string, password: string) => t.http().post('/auth/login').send({ email, password });

  describe('access-token claims', () => {
    let tokens: Tokens;
    let claims: Record<string, unknown>;
    beforeAll(async () => {
      tokens = await loginAs(t, await createUser(t.db));
      claims = claimsOf(tokens.access_token);
    });

    const sign = (payload: Record<string, unknown>, noTimestamp = false) =>
      jwt.sign(payload, { secret: TEST_SECRET, algorithm: 'HS256', noTimestamp });
    const now = () => Math.floor(Date.now() / 1000);

    it('accepts a hand-signed token with every claim (control)', async () => {
      const { iat: _iat, ...rest } = claims;
      await me(sign({ ...rest, exp: now() + 60 })).expect(200);
    });

    it('refuses a token without exp (it would never expire) with 401 INVALID_TOKEN', async () => {
      const { exp: _exp, ...rest } = claims;
      expectError(await me(sign({ ...rest, iat: now() })), 401, 'INVALID_TOKEN');
    });

    it('refuses a token without iat', async () => {
      const { iat: _iat, ...rest } = claims;
      expectError(await me(sign({ ...rest, exp: now() + 60 }, true)), 401, 'INVALID_TOKEN');
    });

    it.each(['sub', 'sid', 'typ'])('refuses a token without %s', async (name) => {
      const { [name]: _dropped, iat: _iat, ...rest } = claims;
      expectError(await me(sign({ ...rest, exp: now() + 60 })), 401, 'INVALID_TOKEN');
    });
  });

  describe('login accounting', () => {
    it('lets more correct logins than the failure budget (5) run at once for one account and IP', async () => {
      const user = await slowHashUser(t);
      const responses = await Promise.all(Array.from({ length: 12 }, () => login(user.email, user.password)));
      expect(responses.map((res) => res.status)).toEqual(Array(12).fill(200));
      const [{ count }] = await t.db.query(
        `SELECT count(*)::int AS count FROM sessions WHERE user_id = $1 AND revoked_at IS NULL`,
        [user.id],
      );
      expect(count).toBe(12);
      // None of them counted: the whole failure budget is still there.
      for (let i = 0; i < 5; i++) expectError(await login(user.email, WRONG), 401, 'INVALID_CREDENTIALS');
      expectError(await login(user.email, user.password), 429, 'RATE_LIMITED');
    });
  });

  describe('POST /auth/change-password', () => {
    const change = (tokens: Tokens, current_password: string, new_password: string) =>
      t.http().post('/auth/change-password').set(bearer(tokens)).send({ current_password, new_password });
    const hashOf = async (id: string): Promise<string> =>
      (await t.db.query(`SELECT password_hash FROM users WHERE id = $1`, [id]))[0].password_hash;

    it('refuses a new password equal to the current one with 400 PASSWORD_UNCHANGED', async () => {
      const user = await createUser(t.db);
      const tokens = await loginAs(t, user);
      const before = await hashOf(user.id);
      const res = await change(tokens, user.password, user.password);
      expectError(res, 400, 'PASSWORD_UNCHANGED');
      expect(res.body.errors).toEqual([{ field: 'new_password', message: expect.any(String) }]);
      expect(await hashOf(user.id)).toBe(before);
      await me(tokens.access_token).expect(200);
    });

    it('counts wrong current passwords per account: the 5th revokes the session (429), then no more checks', async () => {
      const user = await createUser(t.db);
      const guesser = await loginAs(t, user);
      const owner = await loginAs(t, user);
      const before = await hashOf(user.id);

      for (let i = 0; i < 4; i++) {
        expectError(await change(guesser, `Guess-number-${i}`, 'Brand-new-pass-1'), 400, 'INVALID_CURRENT_PASSWORD');
      }
      await me(guesser.access_token).expect(200);
      const fifth = await change(guesser, 'Guess-number-4', 'Brand-new-pass-1');
      expectError(fifth, 429, 'RATE_LIMITED');
      expect(Number(fifth.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(fifth.headers['retry-after'])).toBeLessThanOrEqual(900);

      // The guessing session is gone: its access token and refresh token no longer work.
      const sid = claimsOf(guesser.access_token).sid;
      const [session] = await t.db.query(`SELECT revoked_at, revoke_reason FROM sessions WHERE id = $1`, [sid]);
      expect(session).toEqual({ revoked_at: expect.any(Date), revoke_reason: 'too_many_password_attempts' });
      expectError(await me(guesser.access_token), 401, 'SESSION_REVOKED');
      expectError(
        await t.http().post('/auth/refresh').send({ refresh_token: guesser.refresh_token }),
        401,
        'INVALID_REFRESH_TOKEN',
      );
      const audit = await t.db.query(
        `SELECT new_values FROM audit_logs WHERE action = 'auth.session_revoke' AND resource_id = $1`,
        [sid],
      );
      expect(audit).toEqual([{ new_values: { reason: 'too_many_password_attempts', failed_attempts: 5 } }]);

      // Until the window ends, the account's other sessions get 429 without a password check — even the right one.
      expectError(await change(owner, user.password, 'Brand-new-pass-1'), 429, 'RATE_LIMITED');
      expect(await hashOf(user.id)).toBe(before);
      await me(owner.access_token).expect(200);
      // The login budget is separate: the owner can still log in.
      await loginAs(t, user);
    });

    it('does not count a correct current password', async () => {
      const user = await createUser(t.db);
      const tokens = await loginAs(t, user);
      let password = user.password;
      for (let i = 0; i < 6; i++) {
        const next = `Brand-new-pass-${i}`;
        await change(tokens, password, next).expect(200);
        password = next;
      }
      expectError(await change(tokens, WRONG, 'Another-pass-1'), 400, 'INVALID_CURRENT_PASSWORD');
    });
  });

  describe('SubmissionsRepository.latestVisible', () => {
    it("gives a candidate nothing for another user's id (its own rows do not stand in)", async () => {
      const tenant = await createTenant(t.db);
      const alice = await createUser(t.db, { tenantId: tenant.id });
      const bob = await createUser(t.db, { tenantId: tenant.id });
      const admin = await createUser(t.db, { role: 'admin', tenantId: tenant.id });
      for (const user of [alice, bob]) {
        await storeSubmission(t, {
          tenant_id: tenant.id,
          user_id: user.id,
          candidate_name: user.full_name,
          test_type: 'JDT',
          attempt_number: 1,
        });
      }
      const ctxFor = (user: UserRow): AuthenticatedContext => ({
        requestId: 'latest-visible-test',
        ip: null,
        userAgent: null,
        user: {
          id: user.id,
          tenantId: user.tenant_id,
          role: user.role,
          email: user.email,
          fullName: user.full_name,
          sessionId: '00000000-0000-0000-0000-000000000000',
          profile: {} as UserProfileRow,
        },
      });
      const repo = t.app.get(SubmissionsRepository);
      const db = t.app.get(DatabaseService);
      const latest = (actor: UserRow, userId: string, type: 'JDT' | 'SJT') =>
        db.transaction(ctxFor(actor), (tx) => repo.latestVisible(tx, userId, type));

      expect(await latest(bob, alice.id, 'JDT')).toBeNull();
      expect((await latest(bob, bob.id, 'JDT'))?.user_id).toBe(bob.id);
      expect((await latest(admin, alice.id, 'JDT'))?.user_id).toBe(alice.id);
      expect(await latest(alice, alice.id, 'SJT')).toBeNull();
    });
  });
});

// Successes on two instances sharing Redis. Without TEST_REDIS_URL (or REDIS_URL) only this block is skipped.
const redisUrl = process.env.TEST_REDIS_URL || process.env.REDIS_URL;
(redisUrl ? describe : describe.skip)(
  'Login accounting across two instances sharing Redis (requires TEST_REDIS_URL)',
  () => {
    // A client IP of this run only, so counters of earlier runs (they expire, but slowly) cannot interfere.
    const ip = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
    const env = { REDIS_URL: redisUrl ?? '', TRUST_PROXY: 'true' };
    let a: TestApp;
    let b: TestApp;
    let redis: Redis;
    beforeAll(async () => {
      a = await createTestApp(env);
      b = await createTestApp(env, { databaseUrl: a.databaseUrl });
      redis = new Redis(redisUrl!);
    });
    afterAll(async () => {
      const keys = await redis.keys(`trajectorie:rl:*${ip}`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
      await b?.close();
      await a?.close();
    });

    const loginAt = (instance: TestApp, email: string, password: string) =>
      instance.http().post('/auth/login').set('X-Forwarded-For', ip).send({ email, password });

    it('lets 12 concurrent correct logins through on a budget of 5, then still allows 5 failures', async () => {
      const user = await slowHashUser(a);
      const responses = await Promise.all(
        Array.from({ length: 12 }, (_, i) => loginAt(i % 2 ? a : b, user.email, user.password)),
      );
      expect(responses.map((res) => res.status)).toEqual(Array(12).fill(200));
      for (let i = 0; i < 5; i++)
        expectError(await loginAt(i % 2 ? a : b, user.email, WRONG), 401, 'INVALID_CREDENTIALS');
      expectError(await loginAt(a, user.email, user.password), 429, 'RATE_LIMITED');
      // Nothing is left in flight: the sets of pending attempts are gone, the failure counter holds 5.
      expect(await redis.keys(`trajectorie:rl:pending:*${ip}`)).toEqual([]);
      expect(await redis.get(`trajectorie:rl:login:account:${user.email}:${ip}`)).toBe('5');
    });
  },
);
