import { createTestApp, TestApp } from '../setup/test-app';

/**
 * The second seed's `backend_test.py` (README "Differences from the originals" lists where this API deliberately
 * answers otherwise), check for check, against an app started in development. The script logged in as
 * `admin@example.com` / `applicant@example.com`, accounts its own database already had; here the superadmin creates
 * the admin (admins are not self-registered) and the applicant registers (public registration on, as in the
 * original). Every step's body and what it left in the database are checked, not only the status.
 */
describe("The second seed's backend_test.py", () => {
  let t: TestApp;
  let admin: { Authorization: string };
  let applicant: { Authorization: string };
  let adminTenant: string;

  beforeAll(async () => {
    t = await createTestApp({ ENVIRONMENT: 'development', ALLOW_PUBLIC_REGISTRATION: 'true', JOBS_ENABLED: 'false' });
    const root = await t
      .http()
      .post('/api/auth/login')
      .send({ email: 'superadmin@gmail.com', password: 'superadmin123' })
      .expect(200);
    const su = { Authorization: `Bearer ${root.body.access_token}` };
    const tenant = await t.http().post('/api/v1/tenants').set(su).send({ name: 'Interview Test Co' }).expect(201);
    adminTenant = tenant.body.id;
    await t
      .http()
      .post('/api/v1/users')
      .set(su)
      .send({
        email: 'admin@example.com',
        password: 'admin123',
        full_name: 'Admin',
        role: 'admin',
        tenant_id: adminTenant,
      })
      .expect(201);
  });
  afterAll(() => t.close());

  it('logs in as the admin (token_type bearer, the user with role admin)', async () => {
    const res = await t
      .http()
      .post('/api/auth/login')
      .send({ email: 'admin@example.com', password: 'admin123' })
      .expect(200);
    expect(res.body).toMatchObject({ token_type: 'bearer', user: { email: 'admin@example.com', role: 'admin' } });
    expect(typeof res.body.access_token).toBe('string');
    admin = { Authorization: `Bearer ${res.body.access_token}` };
  });

  it('registers the applicant (201 here, 200 in the original), rendered as role "applicant"', async () => {
    const res = await t
      .http()
      .post('/api/auth/register')
      .send({
        email: 'applicant@example.com',
        password: 'applicant123',
        full_name: 'Test Applicant',
        role: 'applicant',
      })
      .expect(201);
    expect(res.body).toMatchObject({ email: 'applicant@example.com', full_name: 'Test Applicant', role: 'applicant' });
    const [row] = await t.db.query(`SELECT role FROM users WHERE email = 'applicant@example.com'`);
    expect(row.role).toBe('candidate');
    const login = await t
      .http()
      .post('/api/auth/login')
      .send({ email: 'applicant@example.com', password: 'applicant123' })
      .expect(200);
    expect(login.body.user.role).toBe('applicant');
    applicant = { Authorization: `Bearer ${login.body.access_token}` };
  });

  it('refuses a duplicate registration (409 here, 400 in the original) and creates nothing', async () => {
    const res = await t
      .http()
      .post('/api/auth/register')
      .send({ email: 'applicant@example.com', password: 'applicant123', full_name: 'Again', role: 'applicant' })
      .expect(409);
    expect(typeof res.body.detail).toBe('string');
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM users WHERE email = 'applicant@example.com'`);
    expect(n).toBe(1);
  });

  it('answers an invalid login with 401 and a detail', async () => {
    const res = await t
      .http()
      .post('/api/auth/login')
      .send({ email: 'admin@example.com', password: 'wrong-password' })
      .expect(401);
    expect(res.body.detail).toEqual(expect.any(String));
    expect(res.body.access_token).toBeUndefined();
  });

  it('answers /auth/me without a token with 401 (the original: 403)', async () => {
    const res = await t.http().get('/api/auth/me').expect(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(res.body.status_code).toBe(401);
  });

  it('returns the current user from /auth/me', async () => {
    const res = await t.http().get('/api/auth/me').set(admin).expect(200);
    expect(res.body).toMatchObject({ email: 'admin@example.com', role: 'admin' });
  });

  it('forbids the applicant the admin routes (403)', async () => {
    const res = await t.http().get('/api/tests').set(applicant).expect(403);
    expect(res.body.status_code).toBe(403);
  });

  it('refuses an invalid test body with 400 and field errors (the original: 422)', async () => {
    const res = await t.http().post('/api/tests').set(admin).send({ title: 'No duration' }).expect(400);
    expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: expect.any(String) })]));
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM tests`);
    expect(n).toBe(0);
  });

  it('answers an unknown or malformed token on start and submit with 404 (the original: 500)', async () => {
    for (const token of ['00000000-0000-0000-0000-000000000000', 'A'.repeat(43), 'not a token']) {
      const path = encodeURIComponent(token);
      expect((await t.http().post(`/api/start-test/${path}`).expect(404)).body.status_code).toBe(404);
      const submit = await t.http().post(`/api/submit-test/${path}`).send({ answers: [] }).expect(404);
      expect(submit.body.detail).toEqual(expect.any(String));
    }
  });

  it('runs the flow: test, invitation, start (sent → in_progress), malformed submit 400, submit scores 100', async () => {
    const created = await t
      .http()
      .post('/api/tests')
      .set(admin)
      .send({
        title: 'Sample Test',
        description: 'A test for the API script',
        duration_minutes: 30,
        questions: [
          {
            type: 'multiple_choice',
            question: 'What is 2+2?',
            options: ['3', '4', '5', '6'],
            correct_answer: '4',
            points: 1,
          },
          {
            type: 'multiple_choice',
            question: 'Capital of France?',
            options: ['London', 'Berlin', 'Paris', 'Madrid'],
            correct_answer: 'Paris',
            points: 1,
          },
        ],
      })
      .expect(201);
    expect(created.body).toMatchObject({ title: 'Sample Test', duration_minutes: 30, is_active: true });
    const questions = created.body.questions as { id: string; correct_answer: string }[];
    expect(questions).toHaveLength(2);

    const invite = await t
      .http()
      .post('/api/invites')
      .set(admin)
      .send({ test_id: created.body.id, applicant_email: 'applicant@example.com', applicant_name: 'Test Applicant' })
      .expect(201);
    expect(invite.body.status).toBe('sent');
    const token = invite.body.invite_token as string;

    const start = await t.http().post(`/api/start-test/${token}`).expect(200);
    expect(start.body.status).toBe('in_progress');
    const afterStart = await t.http().get(`/api/invites/${invite.body.id}`).set(admin).expect(200);
    expect(afterStart.body.status).toBe('in_progress');

    const malformed = await t.http().post(`/api/submit-test/${token}`).send({ answers: 'nope' }).expect(400);
    expect(malformed.body.errors).toBeDefined();
    const [{ n: none }] = await t.db.query(`SELECT count(*)::int AS n FROM attempt_answers`);
    expect(none).toBe(0);

    const submit = await t
      .http()
      .post(`/api/submit-test/${token}`)
      .send({ answers: questions.map((q) => ({ question_id: q.id, answer: q.correct_answer })) })
      .expect(200);
    expect(submit.body).toMatchObject({
      score: 100,
      auto_score: 100,
      final_score: 100,
      scoring_status: 'auto_only',
      needs_manual_review: false,
    });
    const done = await t.http().get(`/api/invites/${invite.body.id}`).set(admin).expect(200);
    expect(done.body.status).toBe('completed');
    const [attempt] = await t.db.query(`SELECT status, final_score::float AS final FROM test_attempts`);
    expect(attempt).toEqual({ status: 'submitted', final: 100 });

    // The original matched "my invites" by e-mail alone. Here they are matched within the caller's tenant, and public
    // registration put the applicant in the System tenant: it does not see another tenant's invitation.
    const mine = await t.http().get('/api/my-invites').set(applicant).expect(200);
    expect(mine.body).toEqual([]);
  });
});
