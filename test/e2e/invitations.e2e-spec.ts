import { createHash } from 'node:crypto';
import type { Response } from 'supertest';
import { AttemptSweeperService } from '../../src/modules/timed-tests/taking/attempt-sweeper.service';
import { bearer, createTenantWithStaff, DEFAULT_PASSWORD, loginAs } from '../setup/factories';
import { auditRows, setupTwoTenants, TwoTenants } from '../setup/fixtures';
import { expectRateLimited, ISO, UUID } from '../setup/matchers';
import { createTestApp, TestApp } from '../setup/test-app';
import { NO_WORKERS, allKeys, ANSWER_KEY_FIELDS, controlClock, insertTest, InsertedTest } from '../setup/timed-tests';

const DAY = 86_400_000;

function expectError(res: Response, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
}

const invitationRow = async (t: TestApp, id: string) =>
  (await t.db.query(`SELECT * FROM invitations WHERE id = $1`, [id]))[0];

describe('Invitations', () => {
  let t: TestApp;
  let w: TwoTenants;
  let testA: InsertedTest;
  let testB: InsertedTest;
  let clock: ReturnType<typeof controlClock>;
  let seq = 0;
  const email = () => `invitee-${Date.now().toString(36)}-${++seq}@example.test`;

  beforeAll(async () => {
    t = await createTestApp({
      PUBLIC_BASE_URL: 'https://tests.example.test',
      RATE_LIMIT_INVITE_TOKEN_MISSES_LIMIT: '1000',
      ...NO_WORKERS,
    });
    w = await setupTwoTenants(t);
    testA = await insertTest(t.db, w.a.tenant.id, { title: 'Algebra' });
    testB = await insertTest(t.db, w.b.tenant.id, { title: 'Foreign' });
  });
  beforeEach(() => {
    clock = controlClock(t);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(() => t.close());

  const create = (body: object, tokens = w.a.adminTokens) =>
    t.http().post('/api/invites').set(bearer(tokens)).send(body);
  const invite = async (overrides: object = {}) => {
    const res = await create({ test_id: testA.id, applicant_email: email(), applicant_name: 'Ann Lee', ...overrides });
    expect(res.status).toBe(201);
    return res.body;
  };

  describe('POST /api/invites', () => {
    it('creates the invitation (201): token and link once, only the hash stored, e-mail queued, audited', async () => {
      const to = email();
      const res = await create({ test_id: testA.id, applicant_email: to.toUpperCase(), applicant_name: ' Ann Lee ' });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: UUID,
        tenant_id: w.a.tenant.id,
        test_id: testA.id,
        test_title: 'Algebra',
        applicant_email: to,
        applicant_name: 'Ann Lee',
        invited_by: w.a.admin.id,
        scheduled_date: null,
        admin_scheduled: false,
        no_schedule: false,
        status: 'sent',
        email_sent: false,
        email_sent_at: null,
        email_error: null,
        email_status: 'pending',
        expires_at: ISO,
        extra_time_percent: 0,
        started_at: null,
        completed_at: null,
        cancelled_at: null,
        created_at: ISO,
        updated_at: ISO,
        invite_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        invite_link: `https://tests.example.test/take/${res.body.invite_token}`,
      });
      const expiresIn = new Date(res.body.expires_at).getTime() - clock.now().getTime();
      expect(Math.abs(expiresIn - 30 * DAY)).toBeLessThan(1000);
      const row = await invitationRow(t, res.body.id);
      expect(row.token_hash.equals(createHash('sha256').update(res.body.invite_token).digest())).toBe(true);
      expect(JSON.stringify(row)).not.toContain(res.body.invite_token);
      const outbox = await t.db.query(`SELECT * FROM email_outbox WHERE invitation_id = $1`, [res.body.id]);
      expect(outbox).toHaveLength(1);
      expect(outbox[0]).toMatchObject({ kind: 'invitation', to_address: to, subject: 'Test Invitation: Algebra' });
      const [audit] = await auditRows(t.db, res.body.id, 'invitation.create');
      expect(audit).toMatchObject({ user_id: w.a.admin.id, tenant_id: w.a.tenant.id });
      expect(JSON.stringify(audit)).not.toContain(res.body.invite_token);
    });

    it('admin_scheduled with a date is `scheduled`; extra time and expiry are kept', async () => {
      const at = new Date(clock.now().getTime() + 2 * DAY).toISOString();
      const expires = new Date(clock.now().getTime() + 5 * DAY).toISOString();
      const body = await invite({
        scheduled_date: at,
        admin_scheduled: true,
        expires_at: expires,
        extra_time_percent: 50,
      });
      expect(body).toMatchObject({
        status: 'scheduled',
        scheduled_date: at,
        admin_scheduled: true,
        expires_at: expires,
      });
      expect(body.extra_time_percent).toBe(50);
    });

    it.each([
      ['an unknown field', { role: 'admin' }, 'VALIDATION_ERROR'],
      ['a bad e-mail', { applicant_email: 'nope' }, 'VALIDATION_ERROR'],
      ['extra time over 500', { extra_time_percent: 501 }, 'VALIDATION_ERROR'],
      ['a malformed test id', { test_id: 'x' }, 'VALIDATION_ERROR'],
      ['an expiry in the past', { expires_at: '2001-01-01T00:00:00.000Z' }, 'INVALID_INVITATION_DATE'],
      ['a schedule in the past', { scheduled_date: '2001-01-01T00:00:00.000Z' }, 'INVALID_INVITATION_DATE'],
      ['admin_scheduled without a date', { admin_scheduled: true }, 'INVALID_INVITATION_DATE'],
    ])('refuses %s (400) and creates nothing', async (_name, overrides, code) => {
      const to = email();
      const res = await create({ test_id: testA.id, applicant_email: to, applicant_name: 'X', ...overrides });
      expectError(res, 400, code);
      expect(await t.db.query(`SELECT 1 FROM invitations WHERE applicant_email = $1`, [to])).toHaveLength(0);
    });

    it('401 without a token, 403 for candidates and proctors, 404 for a foreign or inactive test', async () => {
      const body = { test_id: testA.id, applicant_email: email(), applicant_name: 'X' };
      expectError(await t.http().post('/api/invites').send(body), 401, 'NOT_AUTHENTICATED');
      expectError(await create(body, w.a.candidateTokens), 403, 'INSUFFICIENT_ROLE');
      expectError(await create(body, w.a.proctorTokens), 403, 'INSUFFICIENT_ROLE');
      expectError(await create({ ...body, test_id: testB.id }), 404, 'TEST_NOT_FOUND');
      const inactive = await insertTest(t.db, w.a.tenant.id);
      await t.db.query(`UPDATE tests SET is_active = false, deleted_at = now() WHERE id = $1`, [inactive.id]);
      expectError(await create({ ...body, test_id: inactive.id }), 404, 'TEST_NOT_FOUND');
      const rows = await t.db.query(`SELECT 1 FROM invitations WHERE applicant_email = $1`, [body.applicant_email]);
      expect(rows).toHaveLength(0);
    });
  });

  describe('GET /api/invites', () => {
    it('lists the tenant newest first with X-Total-Count, no token, filters by status, e-mail and day', async () => {
      const tag = `zz${Date.now().toString(36)}`;
      const one = await invite({ applicant_email: `${tag}_one@example.test` });
      const two = await invite({ applicant_email: `${tag}%two@example.test` });
      await t.http().post(`/api/invites/${one.id}/cancel`).set(bearer(w.a.adminTokens)).expect(200);
      const all = await t.http().get('/api/invites').set(bearer(w.a.adminTokens)).expect(200);
      expect(Number(all.headers['x-total-count'])).toBe(all.body.length);
      expect(all.body.every((i: { tenant_id: string }) => i.tenant_id === w.a.tenant.id)).toBe(true);
      expect(allKeys(all.body).has('invite_token')).toBe(false);
      const byEmail = await t
        .http()
        .get(`/api/invites?email=${encodeURIComponent(`${tag}%`)}`)
        .set(bearer(w.a.adminTokens));
      expect(byEmail.body.map((i: { id: string }) => i.id)).toEqual([two.id]);
      const seedNames = await t
        .http()
        .get(`/api/invites?email_search=${tag}&status_filter=active`)
        .set(bearer(w.a.adminTokens));
      expect(seedNames.body.map((i: { id: string }) => i.id)).toEqual([two.id]);
      const cancelled = await t.http().get(`/api/invites?email=${tag}&status=cancelled`).set(bearer(w.a.adminTokens));
      expect(cancelled.body.map((i: { id: string }) => i.id)).toEqual([one.id]);
      const today = new Date().toISOString().slice(0, 10);
      const day = await t.http().get(`/api/invites?email=${tag}&date_filter=${today}`).set(bearer(w.a.adminTokens));
      expect(day.body).toHaveLength(2);
      const before = await t
        .http()
        .get(`/api/invites?email=${tag}&to=2001-01-01T00:00:00Z`)
        .set(bearer(w.a.adminTokens));
      expect(before.body).toHaveLength(0);
      const foreign = await t.http().get(`/api/invites?email=${tag}`).set(bearer(w.b.adminTokens)).expect(200);
      expect(foreign.body).toEqual([]);
      expectError(
        await t.http().get('/api/invites?status=bogus').set(bearer(w.a.adminTokens)),
        400,
        'VALIDATION_ERROR',
      );
      expectError(
        await t.http().get('/api/invites?date_filter=2026-13-01').set(bearer(w.a.adminTokens)),
        400,
        'VALIDATION_ERROR',
      );
      expectError(await t.http().get('/api/invites').set(bearer(w.a.candidateTokens)), 403, 'INSUFFICIENT_ROLE');
      expectError(await t.http().get('/api/invites'), 401, 'NOT_AUTHENTICATED');
    });
  });

  describe('GET /api/invites/{id}, cancel, resend', () => {
    it('get: 200 own, 404 foreign, 400 malformed id', async () => {
      const created = await invite();
      const res = await t.http().get(`/api/invites/${created.id}`).set(bearer(w.a.adminTokens)).expect(200);
      const { invite_token: _token, invite_link: _link, ...rest } = created;
      expect(res.body).toEqual(rest);
      expectError(
        await t.http().get(`/api/invites/${created.id}`).set(bearer(w.b.adminTokens)),
        404,
        'INVITATION_NOT_FOUND',
      );
      expectError(await t.http().get('/api/invites/nope').set(bearer(w.a.adminTokens)), 400, 'INVALID_ID');
      await t.http().get(`/api/invites/${created.id}`).set(bearer(w.superTokens)).expect(200);
    });

    it('cancel: 200 then the token is a 404; a second cancel is 409; foreign 404 leaves the row unchanged', async () => {
      const created = await invite();
      const before = await invitationRow(t, created.id);
      expectError(
        await t.http().post(`/api/invites/${created.id}/cancel`).set(bearer(w.b.adminTokens)),
        404,
        'INVITATION_NOT_FOUND',
      );
      expectError(
        await t.http().post(`/api/invites/${created.id}/cancel`).set(bearer(w.a.candidateTokens)),
        403,
        'INSUFFICIENT_ROLE',
      );
      expect(await invitationRow(t, created.id)).toEqual(before);
      const res = await t.http().post(`/api/invites/${created.id}/cancel`).set(bearer(w.a.adminTokens)).expect(200);
      expect(res.body).toMatchObject({ status: 'cancelled', cancelled_at: ISO });
      expect(allKeys(res.body).has('invite_token')).toBe(false);
      expectError(
        await t.http().post(`/api/invites/${created.id}/cancel`).set(bearer(w.a.adminTokens)),
        409,
        'INVITATION_STATE_CONFLICT',
      );
      expectError(await t.http().get(`/api/invites/token/${created.invite_token}`), 404, 'INVITATION_NOT_FOUND');
      expect(await auditRows(t.db, created.id, 'invitation.cancel')).toHaveLength(1);
    });

    it('resend: a new token and link, the old token stops working, a second e-mail is queued', async () => {
      const created = await invite();
      const res = await t.http().post(`/api/invites/${created.id}/resend`).set(bearer(w.a.adminTokens)).expect(200);
      expect(res.body.invite_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(res.body.invite_token).not.toBe(created.invite_token);
      expect(res.body.invite_link).toBe(`https://tests.example.test/take/${res.body.invite_token}`);
      expectError(await t.http().get(`/api/invites/token/${created.invite_token}`), 404, 'INVITATION_NOT_FOUND');
      await t.http().get(`/api/invites/token/${res.body.invite_token}`).expect(200);
      const outbox = await t.db.query(`SELECT kind FROM email_outbox WHERE invitation_id = $1 ORDER BY created_at`, [
        created.id,
      ]);
      expect(outbox.map((o: { kind: string }) => o.kind)).toEqual(['invitation', 'resend']);
      expectError(
        await t.http().post(`/api/invites/${created.id}/resend`).set(bearer(w.b.adminTokens)),
        404,
        'INVITATION_NOT_FOUND',
      );
      await t.http().post(`/api/invites/${created.id}/cancel`).set(bearer(w.a.adminTokens)).expect(200);
      expectError(
        await t.http().post(`/api/invites/${created.id}/resend`).set(bearer(w.a.adminTokens)),
        409,
        'INVITATION_STATE_CONFLICT',
      );
    });
  });

  describe('POST /api/invites/bulk', () => {
    it('JSON: each valid row its own invitation, bad rows and repeated e-mails reported by row', async () => {
      const first = email();
      const res = await t
        .http()
        .post('/api/invites/bulk')
        .set(bearer(w.a.adminTokens))
        .send({
          test_id: testA.id,
          invites: [
            { applicant_email: first, applicant_name: 'One' },
            { applicant_email: 'broken', applicant_name: 'Two' },
            { applicant_email: first.toUpperCase(), applicant_name: 'Again' },
            { applicant_email: email(), applicant_name: 'Four', extra: 1 },
            { applicant_email: email(), applicant_name: 'Five' },
          ],
        });
      expect(res.status).toBe(201);
      expect(res.body.created).toHaveLength(2);
      expect(res.body.created[0]).toMatchObject({ applicant_email: first, invite_token: expect.any(String) });
      expect(res.body.errors.map((e: { row: number }) => e.row)).toEqual([2, 3, 4]);
      expect(res.body.errors[1].detail).toMatch(/Duplicate/);
      const outbox = await t.db.query(`SELECT 1 FROM email_outbox WHERE invitation_id = ANY($1)`, [
        res.body.created.map((c: { id: string }) => c.id),
      ]);
      expect(outbox).toHaveLength(2);
    });

    it('CSV upload: header row, quoting, per-line errors', async () => {
      const a = email();
      const csv = `applicant_email,applicant_name,scheduled_date\r\n${a},"Lee, Ann",\r\nnot-an-email,Bob,\r\n\r\n${email()},"Quote ""Q""",2001-01-01T00:00:00Z\r\n${email()},Dee,\r\n`;
      const res = await t
        .http()
        .post('/api/invites/bulk')
        .set(bearer(w.a.adminTokens))
        .field('test_id', testA.id)
        .attach('file', Buffer.from(csv), { filename: 'invites.csv', contentType: 'text/csv' });
      expect(res.status).toBe(201);
      expect(res.body.created.map((c: { applicant_name: string }) => c.applicant_name)).toEqual(['Lee, Ann', 'Dee']);
      expect(res.body.errors.map((e: { row: number }) => e.row)).toEqual([3, 5]);
      const bad = await t
        .http()
        .post('/api/invites/bulk')
        .set(bearer(w.a.adminTokens))
        .field('test_id', testA.id)
        .attach('file', Buffer.from('email,name\nx@y.z,X\n'), { filename: 'x.csv', contentType: 'text/csv' });
      expectError(bad, 400, 'INVALID_INVITATION_CSV');
    });

    it('404 for a foreign test, 403 for a candidate, 400 for a malformed body', async () => {
      const body = { test_id: testB.id, invites: [{ applicant_email: email(), applicant_name: 'X' }] };
      expectError(
        await t.http().post('/api/invites/bulk').set(bearer(w.a.adminTokens)).send(body),
        404,
        'TEST_NOT_FOUND',
      );
      expectError(
        await t.http().post('/api/invites/bulk').set(bearer(w.a.candidateTokens)).send(body),
        403,
        'INSUFFICIENT_ROLE',
      );
      expectError(
        await t.http().post('/api/invites/bulk').set(bearer(w.a.adminTokens)).send({ test_id: testA.id }),
        400,
        'VALIDATION_ERROR',
      );
      expectError(await t.http().post('/api/invites/bulk').send(body), 401, 'NOT_AUTHENTICATED');
    });
  });

  describe('public routes by token', () => {
    it('GET /api/invites/token/{token}: the invitation and test, no answer keys, no token', async () => {
      const created = await invite();
      const res = await t.http().get(`/api/invites/token/${created.invite_token}`).expect(200);
      expect(res.body.invite).toMatchObject({ id: created.id, status: 'sent', test_title: 'Algebra' });
      expect(res.body.test).toMatchObject({ id: testA.id, title: 'Algebra', duration_minutes: 30 });
      expect(res.body.test.questions).toHaveLength(testA.questions.length);
      const keys = allKeys(res.body);
      for (const key of [...ANSWER_KEY_FIELDS, 'invite_token', 'token_hash', 'email_error'])
        expect(keys.has(key)).toBe(false);
    });

    it('wrong tokens are 404, malformed or unknown alike', async () => {
      expectError(await t.http().get('/api/invites/token/short'), 404, 'INVITATION_NOT_FOUND');
      expectError(await t.http().get(`/api/invites/token/${'A'.repeat(43)}`), 404, 'INVITATION_NOT_FOUND');
    });

    it('expired: 410 and the invitation is marked expired', async () => {
      const created = await invite({ expires_at: new Date(clock.now().getTime() + DAY).toISOString() });
      clock.advance(DAY + 1000);
      expectError(await t.http().get(`/api/invites/token/${created.invite_token}`), 410, 'INVITATION_EXPIRED');
      expect((await invitationRow(t, created.id)).status).toBe('expired');
      expectError(await t.http().get(`/api/take-test/${created.invite_token}`), 410, 'INVITATION_EXPIRED');
    });

    it('schedule: a future time before expiry (200); past 400; admin-fixed 409; cancelled 404', async () => {
      const created = await invite();
      const at = new Date(clock.now().getTime() + 3 * DAY).toISOString();
      const path = `/api/invites/token/${created.invite_token}/schedule`;
      const res = await t.http().post(path).send({ scheduled_date: at }).expect(200);
      expect(res.body.invite).toMatchObject({ status: 'scheduled', scheduled_date: at });
      expect(allKeys(res.body).has('correct_answer')).toBe(false);
      expectError(
        await t.http().post(path).send({ scheduled_date: '2001-01-01T00:00:00Z' }),
        400,
        'INVALID_INVITATION_DATE',
      );
      const late = new Date(clock.now().getTime() + 60 * DAY).toISOString();
      expectError(await t.http().post(path).send({ scheduled_date: late }), 400, 'INVALID_INVITATION_DATE');
      expectError(await t.http().post(path).send({ scheduled_date: at, x: 1 }), 400, 'VALIDATION_ERROR');
      const fixed = await invite({ scheduled_date: at, admin_scheduled: true });
      expectError(
        await t.http().post(`/api/invites/token/${fixed.invite_token}/schedule`).send({ scheduled_date: at }),
        409,
        'SCHEDULE_FIXED_BY_ADMIN',
      );
      await t.http().post(`/api/invites/${created.id}/cancel`).set(bearer(w.a.adminTokens)).expect(200);
      expectError(await t.http().post(path).send({ scheduled_date: at }), 404, 'INVITATION_NOT_FOUND');
    });

    it('the sweep expires open invitations past expires_at', async () => {
      const created = await invite({ expires_at: new Date(clock.now().getTime() + DAY).toISOString() });
      const sweeper = t.app.get(AttemptSweeperService);
      expect(await sweeper.expireOverdueInvitations(clock.now())).toBe(0);
      expect(await sweeper.expireOverdueInvitations(new Date(clock.now().getTime() + 2 * DAY))).toBeGreaterThanOrEqual(
        1,
      );
      expect((await invitationRow(t, created.id)).status).toBe('expired');
      expect(await sweeper.expireOverdueInvitations(new Date(clock.now().getTime() + 2 * DAY))).toBe(0);
    });
  });

  describe('GET /api/my-invites and registration by invitation', () => {
    it("lists the caller's invitations in its tenant by e-mail (case-insensitive), never a token", async () => {
      const mine = await invite({ applicant_email: w.a.candidate.email.toUpperCase() });
      const otherTenant = await t
        .http()
        .post('/api/invites')
        .set(bearer(w.b.adminTokens))
        .send({ test_id: testB.id, applicant_email: w.a.candidate.email, applicant_name: 'X' })
        .expect(201);
      const res = await t.http().get('/api/my-invites').set(bearer(w.a.candidateTokens)).expect(200);
      const ids = res.body.map((i: { id: string }) => i.id);
      expect(ids).toContain(mine.id);
      expect(ids).not.toContain(otherTenant.body.id);
      expect(res.headers['x-total-count']).toBe(String(res.body.length));
      expect(allKeys(res.body).has('invite_token')).toBe(false);
      expectError(await t.http().get('/api/my-invites'), 401, 'NOT_AUTHENTICATED');
    });

    it('a valid token for the same e-mail registers a candidate in the invitation tenant (public registration off)', async () => {
      const to = email();
      const created = await invite({ applicant_email: to });
      const mismatch = await t
        .http()
        .post('/api/auth/register')
        .send({ email: email(), password: DEFAULT_PASSWORD, full_name: 'Eve', invite_token: created.invite_token });
      expectError(mismatch, 403, 'INVALID_INVITATION');
      const res = await t.http().post('/api/auth/register').send({
        email: to.toUpperCase(),
        password: DEFAULT_PASSWORD,
        full_name: 'Ann',
        invite_token: created.invite_token,
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ email: to, role: 'applicant', tenant_id: w.a.tenant.id });
      const tokens = await loginAs(t, { email: to, password: DEFAULT_PASSWORD });
      const mine = await t.http().get('/api/my-invites').set(bearer(tokens)).expect(200);
      expect(mine.body.map((i: { id: string }) => i.id)).toEqual([created.id]);
      const cancelled = await invite();
      await t.http().post(`/api/invites/${cancelled.id}/cancel`).set(bearer(w.a.adminTokens)).expect(200);
      const refused = await t.http().post('/auth/register').send({
        email: cancelled.applicant_email,
        password: DEFAULT_PASSWORD,
        full_name: 'Cid',
        invite_token: cancelled.invite_token,
      });
      expectError(refused, 403, 'INVALID_INVITATION');
      expect(await t.db.query(`SELECT 1 FROM users WHERE email = $1`, [cancelled.applicant_email])).toHaveLength(0);
    });
  });
});

describe('Invitation token routes: rate limits', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      RATE_LIMIT_INVITE_TOKEN_MISSES_LIMIT: '5',
      RATE_LIMIT_INVITE_TOKEN_LIMIT: '8',
      ...NO_WORKERS,
    });
  });
  afterAll(() => t.close());

  it('wrong tokens from one IP: 404 up to the budget, then 429 for every token route, valid ones included', async () => {
    const staff = await createTenantWithStaff(t);
    const test = await insertTest(t.db, staff.tenant.id);
    const created = await t
      .http()
      .post('/api/invites')
      .set(bearer(staff.adminTokens))
      .send({ test_id: test.id, applicant_email: 'rl@example.test', applicant_name: 'R' })
      .expect(201);
    // per token: 8 requests a minute
    for (let i = 0; i < 8; i += 1) await t.http().get(`/api/invites/token/${created.body.invite_token}`).expect(200);
    expectRateLimited(await t.http().get(`/api/take-test/${created.body.invite_token}`), 60);
    for (let i = 0; i < 5; i += 1) {
      expectError(await t.http().get(`/api/invites/token/${String(i).repeat(43)}`), 404, 'INVITATION_NOT_FOUND');
    }
    expectRateLimited(await t.http().get(`/api/invites/token/${'z'.repeat(43)}`), 900);
    expectRateLimited(await t.http().post(`/api/start-test/${'y'.repeat(43)}`), 900);
  });
});
