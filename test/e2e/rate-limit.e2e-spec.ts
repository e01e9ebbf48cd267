import { randomBytes, randomInt } from 'node:crypto';
import Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { createUser, loginAs } from '../setup/factories';
import { expectRateLimited } from '../setup/matchers';
import { createTestApp, TestApp } from '../setup/test-app';

/*
 * README, "Security model": login, register and refresh are rate-limited per IP (login also per account+IP), 429 + Retry-After,
 * successful logins do not count, and with Redis the budget is shared by every instance.
 * Different client IPs are simulated with TRUST_PROXY=true and X-Forwarded-For.
 */

const WRONG = 'Wrong-password-1';
let ipCounter = 0;
/** A client IP no other test of this run uses. */
const freshIp = () => `198.18.${Math.floor(ipCounter / 250)}.${(ipCounter++ % 250) + 1}`;

async function failedLoginAudits(db: DataSource, email: string): Promise<number> {
  const [{ count }] = await db.query(
    `SELECT count(*)::int AS count FROM audit_logs WHERE action = 'auth.login_failed' AND new_values->>'email' = $1`,
    [email],
  );
  return count;
}

describe('Rate limits (e2e)', () => {
  describe('on one instance (in-memory counters)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({
        TRUST_PROXY: 'true',
        ALLOW_PUBLIC_REGISTRATION: 'true',
        RATE_LIMIT_LOGIN_ACCOUNT_LIMIT: '3',
        RATE_LIMIT_LOGIN_IP_LIMIT: '6',
        RATE_LIMIT_REGISTER_LIMIT: '2',
        RATE_LIMIT_REFRESH_LIMIT: '3',
      });
    });
    afterAll(() => t.close());

    const login = (ip: string, email: string, password: string, prefix = '/auth') =>
      t.http().post(`${prefix}/login`).set('X-Forwarded-For', ip).send({ email, password });

    it('answers the 4th failed login of an account from one IP with 429 and Retry-After, even with the right password', async () => {
      const user = await createUser(t.db);
      const ip = freshIp();
      for (let i = 0; i < 3; i++) {
        const res = await login(ip, user.email, WRONG);
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('INVALID_CREDENTIALS');
      }
      expectRateLimited(await login(ip, user.email, WRONG), 900);
      expectRateLimited(await login(ip, user.email, user.password), 900);
      expectRateLimited(await login(ip, user.email.toUpperCase(), user.password, '/api/auth'), 900);
      // Throttled attempts never reached the password check (no bcrypt, no audit row, no session).
      expect(await failedLoginAudits(t.db, user.email)).toBe(3);
      const [{ count }] = await t.db.query(`SELECT count(*)::int AS count FROM sessions WHERE user_id = $1`, [user.id]);
      expect(count).toBe(0);

      // The budget is per (account, IP): the same account elsewhere, and another account here, still work.
      await login(freshIp(), user.email, user.password).expect(200);
      const other = await createUser(t.db);
      await login(ip, other.email, other.password).expect(200);
    });

    it('does not count successful logins', async () => {
      const user = await createUser(t.db);
      const ip = freshIp();
      for (let i = 0; i < 10; i++) await login(ip, user.email, user.password).expect(200);
      for (let i = 0; i < 3; i++) await login(ip, user.email, WRONG).expect(401);
      expectRateLimited(await login(ip, user.email, WRONG), 900);
    });

    it('limits failed logins per IP across different accounts', async () => {
      const ip = freshIp();
      for (let i = 0; i < 6; i++) {
        await login(ip, `nobody-${i}-${randomBytes(4).toString('hex')}@example.test`, WRONG).expect(401);
      }
      expectRateLimited(await login(ip, `nobody-x-${randomBytes(4).toString('hex')}@example.test`, WRONG), 900);
      const user = await createUser(t.db);
      expectRateLimited(await login(ip, user.email, user.password), 900);
      await login(freshIp(), user.email, user.password).expect(200);
    });

    it('limits registration per IP', async () => {
      const ip = freshIp();
      const register = (email: string) =>
        t
          .http()
          .post('/auth/register')
          .set('X-Forwarded-For', ip)
          .send({ email, password: 'Register-pass-1', full_name: 'Rate Limited' });
      const emails = [0, 1, 2].map((i) => `reg-${i}-${randomBytes(4).toString('hex')}@example.test`);
      await register(emails[0]).expect(201);
      await register(emails[1]).expect(201);
      expectRateLimited(await register(emails[2]), 3600);
      const [{ count }] = await t.db.query(`SELECT count(*)::int AS count FROM users WHERE email = $1`, [emails[2]]);
      expect(count).toBe(0);
      await t
        .http()
        .post('/api/auth/register')
        .set('X-Forwarded-For', freshIp())
        .send({ email: emails[2], password: 'Register-pass-1', full_name: 'Rate Limited' })
        .expect(201);
    });

    it('limits refresh per IP without consuming the presented token', async () => {
      const user = await createUser(t.db);
      let { refresh_token: token } = await loginAs(t, user);
      const ip = freshIp();
      const refresh = (from: string) =>
        t.http().post('/auth/refresh').set('X-Forwarded-For', from).send({ refresh_token: token });
      for (let i = 0; i < 3; i++) {
        const res = await refresh(ip).expect(200);
        token = res.body.refresh_token;
      }
      expectRateLimited(await refresh(ip), 60);
      // The throttled request did not rotate the token: it still works from elsewhere.
      const res = await refresh(freshIp()).expect(200);
      expect(res.body.refresh_token).not.toBe(token);
    });
  });

  describe('window and client address (TRUST_PROXY off, 1-second window)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ RATE_LIMIT_LOGIN_ACCOUNT_LIMIT: '2', RATE_LIMIT_LOGIN_ACCOUNT_WINDOW_SECONDS: '1' });
    });
    afterAll(() => t.close());

    it('ignores a spoofed X-Forwarded-For and opens a new window once the old one ends', async () => {
      const user = await createUser(t.db);
      const login = (spoof: string, password = WRONG) =>
        t.http().post('/auth/login').set('X-Forwarded-For', spoof).send({ email: user.email, password });
      await login('203.0.113.1').expect(401);
      await login('203.0.113.2').expect(401);
      expectRateLimited(await login('203.0.113.3', user.password), 1);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      await login('203.0.113.4', user.password).expect(200);
    });
  });

  // Shared budgets need a real Redis. Without TEST_REDIS_URL (or REDIS_URL) only this block is skipped.
  const redisUrl = process.env.TEST_REDIS_URL || process.env.REDIS_URL;
  const describeRedis = redisUrl ? describe : describe.skip;

  describeRedis('across two instances sharing Redis (requires TEST_REDIS_URL)', () => {
    const runId = randomBytes(6).toString('hex');
    // A client IP unique to this run, so counters left by earlier runs (they expire, but slowly) cannot interfere.
    const ip = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
    const env = {
      REDIS_URL: redisUrl ?? '',
      TRUST_PROXY: 'true',
      RATE_LIMIT_LOGIN_ACCOUNT_LIMIT: '4',
      RATE_LIMIT_REFRESH_LIMIT: '3',
    };
    let a: TestApp;
    let b: TestApp;
    let redis: Redis;

    beforeAll(async () => {
      a = await createTestApp(env);
      b = await createTestApp(env, { databaseUrl: a.databaseUrl });
      redis = new Redis(redisUrl!);
    });
    afterAll(async () => {
      const keys = [
        ...(await redis.keys(`trajectorie:rl:*${runId}*`)),
        ...(await redis.keys(`trajectorie:rl:*:ip:${ip}`)),
      ];
      if (keys.length) await redis.del(...keys);
      await redis.quit();
      await b?.close();
      await a?.close();
    });

    const newUser = () => createUser(a.db, { email: `rl-${runId}-${randomBytes(3).toString('hex')}@example.test` });
    const loginAt = (instance: TestApp, email: string, password: string, from = ip) =>
      instance.http().post('/auth/login').set('X-Forwarded-For', from).send({ email, password });

    it('/health reports Redis connected on both instances', async () => {
      for (const instance of [a, b]) {
        const res = await instance.http().get('/health').expect(200);
        expect(res.body).toEqual({
          status: 'healthy',
          database: 'connected',
          database_type: 'postgresql',
          redis: 'connected',
        });
      }
    });

    it('lets exactly the limit of concurrent failed logins through, not the limit per instance', async () => {
      const user = await newUser();
      const responses = await Promise.all(
        Array.from({ length: 12 }, (_, i) => loginAt(i % 2 === 0 ? a : b, user.email, WRONG)),
      );
      const passed = responses.filter((res) => res.status !== 429);
      expect(passed).toHaveLength(4);
      for (const res of passed) expect(res.status).toBe(401);
      for (const res of responses.filter((r) => r.status === 429)) expectRateLimited(res, 900);
      expect(await failedLoginAudits(a.db, user.email)).toBe(4);

      // Both instances now refuse, sequentially too, and the shared counter holds exactly the limit.
      expectRateLimited(await loginAt(a, user.email, user.password), 900);
      expectRateLimited(await loginAt(b, user.email, user.password), 900);
      const keys = await redis.keys(`trajectorie:rl:login:account:${user.email}:*`);
      expect(keys).toHaveLength(1);
      expect(await redis.get(keys[0])).toBe('4');
      const ttl = await redis.pttl(keys[0]);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(900_000);
    });

    it('does not count successes on one instance against the budget on the other', async () => {
      const user = await newUser();
      for (let i = 0; i < 6; i++) await loginAt(i % 2 ? a : b, user.email, user.password).expect(200);
      for (let i = 0; i < 4; i++) await loginAt(i % 2 ? a : b, user.email, WRONG).expect(401);
      expectRateLimited(await loginAt(b, user.email, WRONG), 900);
    });

    it('shares the refresh limit too', async () => {
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          (i % 2 ? a : b)
            .http()
            .post('/auth/refresh')
            .set('X-Forwarded-For', ip)
            .send({ refresh_token: `garbage-${runId}-${i}` }),
        ),
      );
      expect(responses.filter((res) => res.status === 401)).toHaveLength(3);
      for (const res of responses.filter((r) => r.status !== 401)) expectRateLimited(res, 60);
    });
  });
});
