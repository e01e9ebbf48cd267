import { createTestApp, TestApp } from '../setup/test-app';

/**
 * The first seed's `backend/test_api.py`, request for request, against an app started as `npm start` starts it in
 * development (the documented superadmin exists). The script accepted any status on some steps; here every step
 * must succeed the way its author meant, and what it created is checked in the database.
 */
describe("The first seed's test_api.py, unchanged", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ ENVIRONMENT: 'development' });
  });
  afterAll(() => t.close());

  it('runs every step: health, root, login, me, users, configurations, submissions', async () => {
    // 1-2
    expect((await t.http().get('/health').expect(200)).body.status).toBe('healthy');
    await t.http().get('/').expect(200);
    // 3-4
    const login = await t
      .http()
      .post('/auth/login')
      .send({ email: 'superadmin@gmail.com', password: 'superadmin123' })
      .expect(200);
    const auth = { Authorization: `Bearer ${login.body.access_token}` };
    const me = await t.http().get('/auth/me').set(auth).expect(200);
    expect(me.body).toMatchObject({ email: 'superadmin@gmail.com', role: 'superadmin' });
    // 5-6 (the script accepts 200, or 409 when the user exists; creation is 201 here)
    expect(Array.isArray((await t.http().get('/users').set(auth).expect(200)).body)).toBe(true);
    const user = {
      email: 'test@example.com',
      password: 'testpass123',
      candidate_name: 'Test User',
      candidate_id: 'TEST001',
      client_name: 'Test Company',
      role: 'candidate',
    };
    const created = await t.http().post('/users').set(auth).send(user).expect(201);
    expect(created.body).toMatchObject({
      email: 'test@example.com',
      full_name: 'Test User',
      candidate_id: 'TEST001',
      role: 'candidate',
    });
    await t.http().post('/users').set(auth).send(user).expect(409);
    // 7
    expect(Array.isArray((await t.http().get('/api/v1/configurations').set(auth).expect(200)).body)).toBe(true);
    const config = {
      config_type: 'jdt',
      config_data: { timeLimit: 30, numberOfQuestions: 10, competencies: ['Problem Solving', 'Communication'] },
    };
    const saved = await t.http().post('/api/v1/configurations').set(auth).send(config).expect(201);
    expect(saved.body).toMatchObject({ config_type: 'jdt', config_data: config.config_data });
    // 8
    expect(Array.isArray((await t.http().get('/api/v1/submissions').set(auth).expect(200)).body)).toBe(true);
    const submission = {
      candidate_name: 'Test Candidate',
      candidate_id: 'TEST001',
      test_type: 'JDT',
      conversation_history: [
        { question: 'Tell me about a time you solved a problem', answer: 'I once had to debug a complex issue...' },
      ],
    };
    const submitted = await t.http().post('/api/v1/submissions').set(auth).send(submission).expect(201);
    expect(submitted.body).toMatchObject({ ...submission, status: 'submitted', user_id: me.body.id });

    const [row] = await t.db.query(
      `SELECT test_type, conversation_history, configuration_version FROM submissions WHERE id = $1`,
      [submitted.body.id],
    );
    expect(row).toEqual({
      test_type: 'JDT',
      conversation_history: submission.conversation_history,
      configuration_version: saved.body.version,
    });
  });
});
