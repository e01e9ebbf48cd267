import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { bearer, createTenant, createUser, Tokens } from '../setup/factories';
import { filePart, frontendParts, mediaRows, postMedia, submitInterview, webm } from '../setup/media-upload';
import { expectRateLimited } from '../setup/matchers';
import { createTestApp, TestApp } from '../setup/test-app';

/*
 * The global API throttle (@nestjs/throttler): every route but /health, per user (per IP when anonymous), in
 * named tiers; 429 RATE_LIMITED with Retry-After in the error format; with Redis one budget across instances.
 * Client IPs are simulated with TRUST_PROXY=true and X-Forwarded-For.
 */

let ipCounter = 0;
const freshIp = () => `198.19.${Math.floor(ipCounter / 250)}.${(ipCounter++ % 250) + 1}`;

describe('API throttle (e2e)', () => {
  describe('on one instance', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({
        TRUST_PROXY: 'true',
        THROTTLE_BURST_LIMIT: '6',
        THROTTLE_BURST_WINDOW_SECONDS: '60',
        THROTTLE_UPLOAD_LIMIT: '2',
        THROTTLE_UPLOAD_WINDOW_SECONDS: '60',
      });
    });
    afterAll(() => t.close());

    /** Logins are anonymous requests: each from an IP of its own, so they do not spend a test's budget. */
    const loginFresh = async (user: { email: string; password: string }): Promise<Tokens> =>
      (
        await t
          .http()
          .post('/auth/login')
          .set('X-Forwarded-For', freshIp())
          .send({ email: user.email, password: user.password })
          .expect(200)
      ).body as Tokens;
    const tenantWithStaff = async (overrides = {}) => {
      const tenant = await createTenant(t.db, overrides);
      const admin = await createUser(t.db, { role: 'admin', tenantId: tenant.id });
      const candidate = await createUser(t.db, { role: 'candidate', tenantId: tenant.id });
      return { tenant, adminTokens: await loginFresh(admin), candidateTokens: await loginFresh(candidate) };
    };

    it('counts per user across routes and IPs: the 7th request is 429; another user of the same IP is unaffected', async () => {
      const staff = await tenantWithStaff();
      const [first, second] = [freshIp(), freshIp()];
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const path = i % 2 ? '/auth/me' : '/api/v1/users';
        const res = await t
          .http()
          .get(path)
          .set('X-Forwarded-For', i < 3 ? first : second)
          .set(bearer(staff.adminTokens));
        statuses.push(res.status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
      expectRateLimited(
        await t.http().get('/auth/me').set('X-Forwarded-For', freshIp()).set(bearer(staff.adminTokens)),
        60,
      );
      await t.http().get('/auth/me').set('X-Forwarded-For', first).set(bearer(staff.candidateTokens)).expect(200);
    });

    it('counts anonymous callers per IP; /health is never throttled', async () => {
      const ip = freshIp();
      for (let i = 0; i < 6; i++) await t.http().get('/').set('X-Forwarded-For', ip).expect(200);
      expectRateLimited(await t.http().get('/api/').set('X-Forwarded-For', ip), 60);
      await t.http().get('/').set('X-Forwarded-For', freshIp()).expect(200);
      for (let i = 0; i < 20; i++) await t.http().get('/health').set('X-Forwarded-For', ip).expect(200);
    });

    it("a forged token is refused (401) before it is counted: it cannot spend anyone's budget", async () => {
      const tokens = await loginFresh(await createUser(t.db, { role: 'admin' }));
      const ip = freshIp();
      for (let i = 0; i < 10; i++) {
        await t
          .http()
          .get('/auth/me')
          .set('X-Forwarded-For', ip)
          .set('Authorization', `Bearer ${tokens.access_token}x`)
          .expect(401);
      }
      await t.http().get('/auth/me').set('X-Forwarded-For', ip).set(bearer(tokens)).expect(200);
    });

    it('uploads have a stricter tier: the 3rd upload is 429 and stores nothing, other routes still answer', async () => {
      const staff = await tenantWithStaff({ max_test_attempts: 10 });
      const submission = await submitInterview(t, staff.candidateTokens);
      for (let i = 0; i < 2; i++) {
        await postMedia(t, staff.candidateTokens, submission.id, frontendParts(filePart(webm()))).expect(201);
      }
      const refused = await postMedia(t, staff.candidateTokens, submission.id, frontendParts(filePart(webm())));
      expectRateLimited(refused, 60);
      expect(await mediaRows(t, submission.id)).toHaveLength(2);
      await t.http().get(`/api/v1/submissions/${submission.id}`).set(bearer(staff.candidateTokens)).expect(200);
    });
  });

  // Shared budgets need a real Redis. Without TEST_REDIS_URL (or REDIS_URL) only this block is skipped.
  const redisUrl = process.env.TEST_REDIS_URL || process.env.REDIS_URL;
  const describeRedis = redisUrl ? describe : describe.skip;

  describeRedis('across two instances sharing Redis (requires TEST_REDIS_URL)', () => {
    // Other specs running at the same time may share this Redis and send anonymous requests from 127.0.0.1 (one
    // per-IP budget across every app on it): this block's anonymous request (the login) comes from an address of
    // its own, so only its per-user budget is under test.
    const env = {
      REDIS_URL: redisUrl ?? '',
      THROTTLE_BURST_LIMIT: '6',
      THROTTLE_BURST_WINDOW_SECONDS: '60',
      TRUST_PROXY: 'true',
    };
    const ip = `10.${randomBytes(1)[0]}.${randomBytes(1)[0]}.${1 + (randomBytes(1)[0] % 254)}`;
    let a: TestApp;
    let b: TestApp;
    let redis: Redis;
    const userIds: string[] = [];

    beforeAll(async () => {
      a = await createTestApp(env);
      b = await createTestApp(env, { databaseUrl: a.databaseUrl });
      redis = new Redis(redisUrl!);
    });
    afterAll(async () => {
      for (const pattern of [...userIds.map((id) => `{trajectorie:throttle:user:${id}:*`), `*${ip}*`]) {
        const keys = await redis.keys(pattern);
        if (keys.length) await redis.del(...keys);
      }
      await redis.quit();
      await b?.close();
      await a?.close();
    });

    it('one budget per user: 3 requests on each instance, then the 7th is 429 on either', async () => {
      const user = await createUser(a.db, {
        role: 'admin',
        email: `thr-${randomBytes(4).toString('hex')}@example.test`,
      });
      userIds.push(user.id);
      const login = await a
        .http()
        .post('/auth/login')
        .set('X-Forwarded-For', ip)
        .send({ email: user.email, password: user.password })
        .expect(200);
      const tokens = login.body as { access_token: string };
      const statuses = [];
      for (let i = 0; i < 6; i++)
        statuses.push((await (i % 2 ? b : a).http().get('/auth/me').set(bearer(tokens))).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
      expectRateLimited(await b.http().get('/auth/me').set(bearer(tokens)), 60);
      expectRateLimited(await a.http().get('/auth/me').set(bearer(tokens)), 60);
      const keys = await redis.keys(`{trajectorie:throttle:user:${user.id}:*`);
      expect(keys.length).toBeGreaterThan(0);
    });
  });
});
