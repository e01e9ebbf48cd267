import type { Response } from 'supertest';
import { systemContext } from '../../src/common/context/request-context';
import { JobsService } from '../../src/common/jobs/jobs.service';
import { DatabaseService } from '../../src/database/database.service';
import { hashInvitationToken } from '../../src/modules/timed-tests/invitations/invitation-token';
import { AttemptSweeperService } from '../../src/modules/timed-tests/taking/attempt-sweeper.service';
import { bearer } from '../setup/factories';
import { setupTwoTenants, TwoTenants } from '../setup/fixtures';
import { ISO } from '../setup/matchers';
import { createTestApp, TestApp } from '../setup/test-app';
import { NO_WORKERS, allKeys, ANSWER_KEY_FIELDS, controlClock, insertTest, InsertedTest } from '../setup/timed-tests';

const MINUTE = 60_000;

function expectError(res: Response, status: number, code: string): void {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
}

describe('Taking a test', () => {
  let t: TestApp;
  let w: TwoTenants;
  let mixed: InsertedTest;
  let other: InsertedTest;
  let clock: ReturnType<typeof controlClock>;
  let second: TestApp | undefined;
  let seq = 0;

  beforeAll(async () => {
    t = await createTestApp({ RATE_LIMIT_INVITE_TOKEN_MISSES_LIMIT: '1000', ...NO_WORKERS });
    w = await setupTwoTenants(t);
    mixed = await insertTest(t.db, w.a.tenant.id, { title: 'Mixed', durationMinutes: 20, passMark: 50 });
    other = await insertTest(t.db, w.a.tenant.id, { title: 'Other' });
  });
  beforeEach(() => {
    clock = controlClock(t);
  });
  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    await second?.close();
    await t.close();
  });

  const [MC, MULTI, ESSAY] = [0, 1, 2];
  const q = (i: number) => mixed.questions[i].id;

  async function invite(overrides: object = {}, test = mixed): Promise<{ id: string; token: string }> {
    const res = await t
      .http()
      .post('/api/invites')
      .set(bearer(w.a.adminTokens))
      .send({ test_id: test.id, applicant_email: `taker-${++seq}@example.test`, applicant_name: 'Tia', ...overrides });
    if (res.status !== 201) throw new Error(`invite: ${res.status} ${JSON.stringify(res.body)}`);
    return { id: res.body.id, token: res.body.invite_token };
  }
  const attemptOf = async (invitationId: string) =>
    (await t.db.query(`SELECT * FROM test_attempts WHERE invitation_id = $1`, [invitationId]))[0];
  const events = async (invitationId: string) =>
    (await t.db.query(`SELECT type, data FROM attempt_events WHERE invitation_id = $1 ORDER BY id`, [
      invitationId,
    ])) as {
      type: string;
      data: Record<string, unknown>;
    }[];
  const answersOf = async (attemptId: string) =>
    t.db.query(
      `SELECT question_id, answer, is_correct, auto_points, manual_score_status FROM attempt_answers
                 WHERE attempt_id = $1 ORDER BY question_id`,
      [attemptId],
    );
  /** The audit rows of an attempt (written in the same statement as the attempt's start or end). */
  const auditOf = async (attemptId: string) =>
    t.db.query(
      `SELECT tenant_id, user_id, action, resource_type, old_values, new_values, ip_address, request_id
         FROM audit_logs WHERE resource_id = $1 ORDER BY created_at, id`,
      [attemptId],
    );
  const start = (token: string) => t.http().post(`/api/start-test/${token}`);
  const save = (token: string, answers: object[]) => t.http().put(`/api/take-test/${token}/answers`).send({ answers });
  const submit = (token: string, answers: object[], key?: string) => {
    const req = t.http().post(`/api/submit-test/${token}`);
    if (key) req.set('Idempotency-Key', key);
    return req.send({ answers });
  };

  it('GET take-test before start: the test without answer keys, the whole time, no saved answers', async () => {
    const { token } = await invite({ extra_time_percent: 50 });
    const res = await t.http().get(`/api/take-test/${token}`).expect(200);
    expect(res.body).toMatchObject({
      server_time: ISO,
      started_at: null,
      deadline: null,
      remaining_time_seconds: 30 * 60,
      saved_answers: [],
    });
    expect(res.body.test.questions.map((x: { id: string }) => x.id)).toEqual(mixed.questions.map((x) => x.id));
    const keys = allKeys(res.body);
    for (const key of [...ANSWER_KEY_FIELDS, 'invite_token']) expect(keys.has(key)).toBe(false);
  });

  it('start: 200 once, deadline = start + duration × (1 + extra), the deadline job queued, event logged', async () => {
    const send = jest.spyOn(t.app.get(JobsService), 'send');
    const { id, token } = await invite({ extra_time_percent: 50 });
    const res = await start(token).expect(200);
    const startedAt = clock.now();
    expect(res.body).toEqual({
      message: 'Test started successfully',
      status: 'in_progress',
      started_at: startedAt.toISOString(),
      deadline: new Date(startedAt.getTime() + 30 * MINUTE).toISOString(),
      server_time: startedAt.toISOString(),
      remaining_time_seconds: 30 * 60,
    });
    const attempt = await attemptOf(id);
    expect(attempt).toMatchObject({ status: 'in_progress', test_version_id: mixed.versionId });
    expect(send).toHaveBeenCalledWith(
      expect.anything(),
      'attempt.deadline',
      { attemptId: attempt.id, tenantId: w.a.tenant.id },
      { startAfter: new Date(startedAt.getTime() + 31 * MINUTE), singletonKey: attempt.id },
    );
    const deadline = new Date(startedAt.getTime() + 30 * MINUTE).toISOString();
    expect(await events(id)).toEqual([
      { type: 'started', data: { at: startedAt.toISOString(), deadline, test_version_id: mixed.versionId } },
    ]);
    const inv = (await t.db.query(`SELECT status, started_at FROM invitations WHERE id = $1`, [id]))[0];
    expect(inv).toEqual({ status: 'in_progress', started_at: startedAt });
    expect(await auditOf(attempt.id)).toEqual([
      {
        tenant_id: w.a.tenant.id,
        user_id: null,
        action: 'attempt.start',
        resource_type: 'attempt',
        old_values: null,
        new_values: { invitation_id: id, started_at: startedAt.toISOString(), deadline },
        ip_address: expect.any(String),
        request_id: expect.any(String),
      },
    ]);
  });

  it('10 parallel starts → one attempt, one deadline; a later start never resets the clock', async () => {
    const { id, token } = await invite();
    const results = await Promise.all(Array.from({ length: 10 }, () => start(token)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(new Set(results.map((r) => r.body.deadline)).size).toBe(1);
    expect(new Set(results.map((r) => r.body.started_at)).size).toBe(1);
    expect(await t.db.query(`SELECT id FROM test_attempts WHERE invitation_id = $1`, [id])).toHaveLength(1);
    expect((await events(id)).filter((e) => e.type === 'started')).toHaveLength(1);
    clock.advance(5 * MINUTE);
    const again = await start(token).expect(200);
    expect(again.body).toMatchObject({ message: 'Test already started', deadline: results[0].body.deadline });
    expect(again.body.remaining_time_seconds).toBe(15 * 60);
  });

  it('the schedule window: 409 OUTSIDE_SCHEDULE_WINDOW before it, allowed within ±30 minutes', async () => {
    const at = new Date(clock.now().getTime() + 2 * 60 * MINUTE);
    const { id, token } = await invite({ scheduled_date: at.toISOString() });
    expectError(await t.http().get(`/api/take-test/${token}`), 409, 'OUTSIDE_SCHEDULE_WINDOW');
    expectError(await start(token), 409, 'OUTSIDE_SCHEDULE_WINDOW');
    expect(await attemptOf(id)).toBeUndefined();
    clock.set(new Date(at.getTime() - 29 * MINUTE));
    await t.http().get(`/api/take-test/${token}`).expect(200);
    await start(token).expect(200);
    clock.set(new Date(at.getTime() + 45 * MINUTE));
    // once started, always readable until completed
    await t.http().get(`/api/take-test/${token}`).expect(200);
  });

  it('autosave: upserts per question, one event per call; foreign question 400, wrong shape 400, before start 409', async () => {
    const { id, token } = await invite();
    expectError(await save(token, [{ question_id: q(MC), answer: '4' }]), 409, 'ATTEMPT_NOT_STARTED');
    await start(token).expect(200);
    const res = await save(token, [
      { question_id: q(MC), answer: '3' },
      { question_id: q(ESSAY), answer: 'draft' },
    ]).expect(200);
    expect(res.body).toMatchObject({ message: 'Answers saved', saved: 2, remaining_time_seconds: 20 * 60 });
    await save(token, [{ question_id: q(MC), answer: '4' }]).expect(200);
    const attempt = await attemptOf(id);
    const saved = await answersOf(attempt.id);
    expect(saved.map((a: { answer: unknown }) => a.answer).sort()).toEqual(['4', 'draft']);
    expectError(await save(token, [{ question_id: other.questions[0].id, answer: '4' }]), 400, 'QUESTION_NOT_IN_TEST');
    expectError(await save(token, [{ question_id: q(MULTI), answer: 'a' }]), 400, 'INVALID_ANSWER');
    expectError(await save(token, [{ question_id: q(MC), answer: ['4'] }]), 400, 'INVALID_ANSWER');
    expectError(await save(token, [{ question_id: q(MC), answer: 'not an option' }]), 400, 'INVALID_ANSWER');
    expectError(await save(token, [{ question_id: q(MC), answer: 4 }]), 400, 'VALIDATION_ERROR');
    expectError(await save(token, [{ question_id: 'x', answer: '4' }]), 400, 'VALIDATION_ERROR');
    expect((await answersOf(attempt.id)).map((a: { answer: unknown }) => a.answer).sort()).toEqual(['4', 'draft']);
    expect((await events(id)).map((e) => e.type)).toEqual(['started', 'answers_saved', 'answers_saved']);
    const take = await t.http().get(`/api/take-test/${token}`).expect(200);
    expect(take.body.saved_answers).toHaveLength(2);
  });

  it('submit: merged with saved answers, one row per question, scores, invitation completed; then 409s', async () => {
    const { id, token } = await invite();
    await start(token).expect(200);
    await save(token, [{ question_id: q(MC), answer: '4' }]).expect(200);
    const res = await submit(token, [{ question_id: q(MULTI), answer: ['c', 'a'] }], 'key-1').expect(200);
    expect(res.body).toEqual({
      message: 'Test submitted successfully',
      score: null,
      auto_score: 100,
      final_score: null,
      scoring_status: 'needs_review',
      needs_manual_review: true,
      passed: null,
    });
    const attempt = await attemptOf(id);
    expect(attempt).toMatchObject({ status: 'submitted', auto_score: '100.00', scoring_status: 'needs_review' });
    const rows = await answersOf(attempt.id);
    expect(rows).toHaveLength(3);
    const byQuestion = Object.fromEntries(rows.map((r: { question_id: string }) => [r.question_id, r]));
    expect(byQuestion[q(MC)]).toMatchObject({ answer: '4', is_correct: true, auto_points: '2.00' });
    expect(byQuestion[q(MULTI)]).toMatchObject({ answer: ['c', 'a'], is_correct: true, auto_points: '3.00' });
    expect(byQuestion[q(ESSAY)]).toMatchObject({ answer: '', manual_score_status: 'pending', is_correct: null });
    const inv = (await t.db.query(`SELECT status, completed_at FROM invitations WHERE id = $1`, [id]))[0];
    expect(inv).toEqual({ status: 'completed', completed_at: clock.now() });
    const logged = await events(id);
    expect(logged.map((e) => e.type)).toEqual(['started', 'answers_saved', 'submitted']);
    expect(logged[2].data).toMatchObject({ at: clock.now().toISOString(), answered: 2, questions: 3, auto_score: 100 });
    expect((await auditOf(attempt.id)).map((row: { action: string }) => row.action)).toEqual([
      'attempt.start',
      'attempt.submit',
    ]);
    expect((await auditOf(attempt.id))[1]).toMatchObject({
      tenant_id: w.a.tenant.id,
      user_id: null,
      new_values: { invitation_id: id, ...res.body },
    });

    // the same Idempotency-Key replays the first result; anything else is 409 and nothing changes
    const replay = await submit(token, [{ question_id: q(MC), answer: '3' }], 'key-1').expect(200);
    expect(replay.body).toEqual(res.body);
    expectError(await submit(token, [], 'key-2'), 409, 'ATTEMPT_ALREADY_SUBMITTED');
    expectError(await submit(token, []), 409, 'ATTEMPT_ALREADY_SUBMITTED');
    expectError(await start(token), 409, 'ATTEMPT_ALREADY_SUBMITTED');
    expectError(await save(token, [{ question_id: q(MC), answer: '3' }]), 409, 'ATTEMPT_ALREADY_SUBMITTED');
    expectError(await t.http().get(`/api/take-test/${token}`), 409, 'ATTEMPT_ALREADY_SUBMITTED');
    expectError(
      await t
        .http()
        .post(`/api/invites/token/${token}/schedule`)
        .send({ scheduled_date: new Date(Date.now() + 86_400_000).toISOString() }),
      409,
      'INVITATION_STATE_CONFLICT',
    );
    expect(await attemptOf(id)).toEqual(attempt);
    expect(await answersOf(attempt.id)).toEqual(rows);
  });

  it('an all-automatic test gets its final score and passed at submit', async () => {
    const auto = await insertTest(t.db, w.a.tenant.id, {
      passMark: 60,
      questions: [
        { type: 'multiple_choice', options: ['x', 'y'], correct_answer: 'x', points: 1 },
        { type: 'multiple_choice', options: ['x', 'y'], correct_answer: 'y', points: 1 },
      ],
    });
    const { token } = await invite({}, auto);
    await start(token).expect(200);
    const res = await submit(token, [
      { question_id: auto.questions[0].id, answer: 'x' },
      { question_id: auto.questions[1].id, answer: 'x' },
    ]).expect(200);
    expect(res.body).toMatchObject({
      score: 50,
      auto_score: 50,
      final_score: 50,
      scoring_status: 'auto_only',
      passed: false,
    });
  });

  it('submit with an answer of another test is 400 and changes nothing', async () => {
    const { id, token } = await invite();
    await start(token).expect(200);
    expectError(
      await submit(token, [{ question_id: other.questions[0].id, answer: '4' }]),
      400,
      'QUESTION_NOT_IN_TEST',
    );
    expect(await attemptOf(id)).toMatchObject({ status: 'in_progress' });
    expectError(await submit(token, [], ' bad key'), 400, 'INVALID_IDEMPOTENCY_KEY');
  });

  it('after deadline + grace: submit 409 and nothing changes; the sweeper auto-submits the saved answers once', async () => {
    const { id, token } = await invite();
    await start(token).expect(200);
    await save(token, [
      { question_id: q(MC), answer: '4' },
      { question_id: q(ESSAY), answer: 'my essay' },
    ]).expect(200);
    clock.advance(20 * MINUTE + 30_000); // inside the grace: still accepted for autosave
    await save(token, [{ question_id: q(MULTI), answer: ['a'] }]).expect(200);
    clock.advance(31_000); // past deadline + 60 s
    const before = await attemptOf(id);
    expectError(await submit(token, [{ question_id: q(MC), answer: '3' }]), 409, 'ATTEMPT_DEADLINE_PASSED');
    expectError(await save(token, [{ question_id: q(MC), answer: '3' }]), 409, 'ATTEMPT_DEADLINE_PASSED');
    expect(await attemptOf(id)).toEqual(before);

    const sweeper = t.app.get(AttemptSweeperService);
    const [first, second] = await Promise.all([
      sweeper.sweepExpiredAttempts(clock.now()),
      sweeper.sweepExpiredAttempts(clock.now()),
    ]);
    expect(first + second).toBeGreaterThanOrEqual(1);
    const attempt = await attemptOf(id);
    expect(attempt).toMatchObject({ status: 'auto_submitted', scoring_status: 'needs_review', auto_score: '40.00' });
    const rows = await answersOf(attempt.id);
    const byQuestion = Object.fromEntries(rows.map((r: { question_id: string }) => [r.question_id, r]));
    expect(byQuestion[q(MC)]).toMatchObject({ answer: '4', is_correct: true });
    expect(byQuestion[q(MULTI)]).toMatchObject({ answer: ['a'], is_correct: false });
    expect(byQuestion[q(ESSAY)]).toMatchObject({ answer: 'my essay', manual_score_status: 'pending' });
    const types = (await events(id)).map((e) => e.type);
    expect(types.filter((type) => type === 'auto_submitted')).toHaveLength(1);
    expect(await sweeper.sweepExpiredAttempts(clock.now())).toBe(0);
    expect(await sweeper.autoSubmit(w.a.tenant.id, attempt.id, clock.now())).toBe(false);
    expectError(await submit(token, []), 409, 'ATTEMPT_ALREADY_SUBMITTED');
  });

  it('the deadline job does nothing before deadline + grace', async () => {
    const { id, token } = await invite();
    await start(token).expect(200);
    const attempt = await attemptOf(id);
    const sweeper = t.app.get(AttemptSweeperService);
    expect(await sweeper.autoSubmit(w.a.tenant.id, attempt.id, new Date(clock.now().getTime() + 20 * MINUTE))).toBe(
      false,
    );
    expect(await sweeper.autoSubmit(w.a.tenant.id, attempt.id, new Date(clock.now().getTime() + 22 * MINUTE))).toBe(
      true,
    );
    expect((await attemptOf(id)).status).toBe('auto_submitted');
  });

  it('two app instances sweeping the same database finalise each expired attempt exactly once', async () => {
    // Kept open until the end of the file: passport's strategy registry is per process, so the last app built
    // authenticates for both, and must outlive the requests that follow.
    second = await createTestApp(NO_WORKERS, { databaseUrl: t.databaseUrl });
    const invites = await Promise.all(Array.from({ length: 12 }, () => invite()));
    for (const { token } of invites) await start(token).expect(200);
    await save(invites[0].token, [{ question_id: q(ESSAY), answer: 'kept' }]).expect(200);
    const later = new Date(clock.now().getTime() + 22 * MINUTE);
    const sweepers = [t.app.get(AttemptSweeperService), second.app.get(AttemptSweeperService)];
    const counts = await Promise.all([...sweepers, ...sweepers].map((s) => s.sweepExpiredAttempts(later)));
    const ids = invites.map((i) => i.id);
    const rows = await t.db.query(
      `SELECT a.status, (SELECT count(*)::int FROM attempt_events e WHERE e.attempt_id = a.id AND e.type = 'auto_submitted') AS n
         FROM test_attempts a WHERE a.invitation_id = ANY($1)`,
      [ids],
    );
    expect(rows).toHaveLength(12);
    expect(rows.every((r: { status: string; n: number }) => r.status === 'auto_submitted' && r.n === 1)).toBe(true);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(12);
    const kept = await answersOf((await attemptOf(invites[0].id)).id);
    expect(kept.find((a: { question_id: string }) => a.question_id === q(ESSAY)).answer).toBe('kept');
  });

  it('a new attempt takes the test as it is now: edited in place before any attempt, a new version after one', async () => {
    const testBody = (title: string, duration: number) => ({
      title,
      duration_minutes: duration,
      questions: [{ type: 'multiple_choice', question: '1 + 1?', options: ['1', '2'], correct_answer: '2', points: 1 }],
    });
    const admin = bearer(w.a.adminTokens);
    const created = (await t.http().post('/api/tests').set(admin).send(testBody('First', 10)).expect(201)).body;
    const edit = (title: string, duration: number) =>
      t.http().put(`/api/tests/${created.id}`).set(admin).send(testBody(title, duration)).expect(200);
    const test = { id: created.id } as InsertedTest;
    const [one, two] = [await invite({}, test), await invite({}, test)];
    const view = async (token: string) => (await t.http().get(`/api/take-test/${token}`).expect(200)).body;
    const publicView = async (token: string) => (await t.http().get(`/api/invites/token/${token}`).expect(200)).body;

    // no attempt yet: an edit rewrites the version in place, and the next view shows it
    expect((await view(one.token)).test.title).toBe('First');
    await edit('First, edited', 10);
    expect((await view(one.token)).test.title).toBe('First, edited');
    // the first start freezes that version: views and starts of the others are served from it (the cache)
    const first = await start(one.token).expect(200);
    expect(new Date(first.body.deadline).getTime() - new Date(first.body.started_at).getTime()).toBe(10 * MINUTE);
    expect((await view(two.token)).test.title).toBe('First, edited');
    expect((await publicView(two.token)).test.title).toBe('First, edited');
    // an edit now makes version 2: what has not started follows it, the running attempt keeps version 1
    await edit('Second', 20);
    const [v1, v2] = (await t.db.query(`SELECT id FROM test_versions WHERE test_id = $1 ORDER BY version`, [
      created.id,
    ])) as { id: string }[];
    expect((await view(two.token)).test.title).toBe('Second');
    expect((await publicView(two.token)).test.title).toBe('Second');
    const second = await start(two.token).expect(200);
    expect(new Date(second.body.deadline).getTime() - new Date(second.body.started_at).getTime()).toBe(20 * MINUTE);
    expect((await attemptOf(two.id)).test_version_id).toBe(v2.id);
    expect((await attemptOf(one.id)).test_version_id).toBe(v1.id);
    expect((await view(one.token)).test.title).toBe('First, edited');
  });

  it("a start's token lookup holds the test FOR SHARE until its unit of work ends: an edit waits for it", async () => {
    const { token } = await invite();
    const lockForEdit = () => t.db.query(`SELECT 1 FROM tests WHERE id = $1 FOR UPDATE NOWAIT`, [mixed.id]);
    const db = t.app.get(DatabaseService);
    for (const [lock, held] of [
      ['start', true],
      ['update', false],
      ['share', false],
    ] as const) {
      const found = await db.unitScopedBy(
        systemContext('lock-check'),
        { fn: 'invitation_by_token', args: [hashInvitationToken(token), lock] },
        async () => (held ? expect(lockForEdit()).rejects.toMatchObject({ code: '55P03' }) : lockForEdit()),
      );
      expect(found.found).toBe(true);
    }
    await lockForEdit(); // released with the unit
  });

  it('wrong, cancelled and foreign tokens are 404 on every taking route', async () => {
    const { id, token } = await invite();
    await t.http().post(`/api/invites/${id}/cancel`).set(bearer(w.a.adminTokens)).expect(200);
    for (const bad of [token, 'x'.repeat(43), 'short']) {
      expectError(await t.http().get(`/api/take-test/${bad}`), 404, 'INVITATION_NOT_FOUND');
      expectError(await start(bad), 404, 'INVITATION_NOT_FOUND');
      expectError(await save(bad, []), 404, 'INVITATION_NOT_FOUND');
      expectError(await submit(bad, []), 404, 'INVITATION_NOT_FOUND');
    }
    expect(await attemptOf(id)).toBeUndefined();
  });
});
