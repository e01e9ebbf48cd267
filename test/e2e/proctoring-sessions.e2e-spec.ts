import { createHmac } from 'node:crypto';
import { DataSource } from 'typeorm';
import { bearer, DEFAULT_PASSWORD, loginAs, Tokens } from '../setup/factories';
import { auditRows, setupTwoTenants, TwoTenants } from '../setup/fixtures';
import { createTestApp, TestApp } from '../setup/test-app';
import { controlClock, NO_WORKERS } from '../setup/timed-tests';
import {
  createInvitationRow,
  createSubmittedAttempt,
  createTestWithQuestions,
  FixtureAttempt,
  FixtureTest,
} from '../setup/timed-tests-fixtures';

/**
 * Proctoring REST (docs/proctoring.md, "REST"): the session list and detail, reviews, ICE servers, and a proctor's
 * reach (live sessions, and ended ones it watched; results of attempts it watched). Attempts and their event logs are
 * seeded with the owner connection, as the gateway would have written them.
 */

const TURN_SECRET = 'proctoring-e2e-turn-secret';
const ICE = [
  { urls: 'stun:stun.example.test:3478' },
  { urls: ['turn:turn.example.test:3478', 'turns:turn.example.test:5349'] },
];
const CLOCK_START = new Date('2026-11-29T18:00:00.000Z');

async function event(
  db: DataSource,
  attempt: FixtureAttempt,
  tenantId: string,
  type: string,
  actor: string | null = null,
  data: object = {},
): Promise<string> {
  const [row] = await db.query(
    `INSERT INTO attempt_events (tenant_id, attempt_id, invitation_id, type, data, actor_user_id)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6) RETURNING id::text AS id`,
    [tenantId, attempt.attemptId, attempt.invitationId, type, JSON.stringify(data), actor],
  );
  return row.id;
}

const reviewRow = async (db: DataSource, inviteId: string) =>
  (await db.query(`SELECT * FROM proctoring_reviews WHERE invitation_id = $1`, [inviteId]))[0];
const reviewEvents = (db: DataSource, inviteId: string) =>
  db.query(`SELECT * FROM attempt_events WHERE invitation_id = $1 AND type = 'review' ORDER BY id`, [inviteId]);

describe('Proctoring sessions REST', () => {
  let t: TestApp;
  let s: TwoTenants;
  let clock: ReturnType<typeof controlClock>;
  let testA: FixtureTest;
  let otherTestA: FixtureTest;
  /** A's live attempt (nobody watched it), with integrity events, a flag and a message. */
  let live: FixtureAttempt;
  /** A's ended attempt the proctor watched. */
  let watched: FixtureAttempt;
  /** A's ended attempt only the admin watched. */
  let unwatched: FixtureAttempt;
  /** An invitation of A never started. */
  let notStarted: string;
  /** B's ended attempt. */
  let foreign: FixtureAttempt;

  const get = (path: string, tokens?: Tokens) => {
    const req = t.http().get(path);
    return tokens ? req.set(bearer(tokens)) : req;
  };
  const put = (path: string, tokens: Tokens | null, body: object) => {
    const req = t.http().put(path);
    return (tokens ? req.set(bearer(tokens)) : req).send(body);
  };

  beforeAll(async () => {
    t = await createTestApp({
      ...NO_WORKERS,
      ICE_SERVERS: JSON.stringify(ICE),
      TURN_SECRET,
      TURN_TTL_SECONDS: '600',
    });
    clock = controlClock(t, CLOCK_START);
    s = await setupTwoTenants(t);
    testA = await createTestWithQuestions(t, { tenantId: s.a.tenant.id, title: 'Proctored test' });
    otherTestA = await createTestWithQuestions(t, { tenantId: s.a.tenant.id, title: 'Other test' });
    const testB = await createTestWithQuestions(t, { tenantId: s.b.tenant.id });
    live = await createSubmittedAttempt(t, testA, {
      status: 'in_progress',
      name: 'Live Candidate',
      email: 'live@example.test',
      startedAt: new Date('2026-11-29T17:50:00Z'),
    });
    watched = await createSubmittedAttempt(t, testA, {
      name: 'Watched Candidate',
      startedAt: new Date('2026-11-28T10:00:00Z'),
      submittedAt: new Date('2026-11-28T10:20:00Z'),
    });
    unwatched = await createSubmittedAttempt(t, otherTestA, {
      status: 'terminated',
      startedAt: new Date('2026-11-27T10:00:00Z'),
      submittedAt: new Date('2026-11-27T10:05:00Z'),
    });
    notStarted = (await createInvitationRow(t, { tenantId: s.a.tenant.id, testId: testA.testId })).id;
    foreign = await createSubmittedAttempt(t, testB, { startedAt: new Date('2026-11-29T09:00:00Z') });

    const a = s.a.tenant.id;
    await event(t.db, live, a, 'integrity.tab_hidden', null, { detail: 'switched' });
    await event(t.db, live, a, 'integrity.tab_visible');
    await event(t.db, live, a, 'proctor.flag', s.a.admin.id, { reason: 'phone', severity: 'high' });
    await event(t.db, live, a, 'proctor.message', s.a.admin.id, { text: 'Eyes on screen' });
    await event(t.db, watched, a, 'proctor.watch', s.a.proctor.id);
    await event(t.db, watched, a, 'proctor.watch', s.a.proctor.id);
    await event(t.db, watched, a, 'proctor.watch', s.a.admin.id);
    await event(t.db, watched, a, 'proctor.flag', s.a.proctor.id, { reason: 'noise' });
    await event(t.db, watched, a, 'proctor.unwatch', s.a.proctor.id);
    await event(t.db, unwatched, a, 'proctor.watch', s.a.admin.id);
    await event(t.db, unwatched, a, 'terminated', s.a.admin.id, { reason: 'left the room' });
    await event(t.db, foreign, s.b.tenant.id, 'proctor.watch', s.b.proctor.id);
  });
  afterAll(() => t.close());

  describe('GET /api/v1/proctoring/sessions', () => {
    it("lists the tenant's attempts as sessions, newest start first, with counts and watchers (admin)", async () => {
      const res = await get('/api/v1/proctoring/sessions', s.a.adminTokens).expect(200);
      expect(res.headers['x-total-count']).toBe('3');
      expect(res.body.map((x: { invite_id: string }) => x.invite_id)).toEqual([
        live.invitationId,
        watched.invitationId,
        unwatched.invitationId,
      ]);
      expect(res.body[0]).toEqual({
        invite_id: live.invitationId,
        attempt_id: live.attemptId,
        tenant_id: s.a.tenant.id,
        test_id: testA.testId,
        test_title: 'Proctored test',
        applicant_name: 'Live Candidate',
        applicant_email: 'live@example.test',
        status: 'live',
        attempt_status: 'in_progress',
        started_at: '2026-11-29T17:50:00.000Z',
        deadline: '2026-11-29T18:20:00.000Z',
        submitted_at: null,
        integrity_events: 2,
        flags: 1,
        messages: 1,
        watched_by: [],
        review_status: 'not_reviewed',
        reviewed_at: null,
      });
      expect(res.body[1]).toMatchObject({
        status: 'ended',
        attempt_status: 'submitted',
        submitted_at: '2026-11-28T10:20:00.000Z',
        integrity_events: 0,
        flags: 1,
        messages: 0,
        watched_by: [s.a.proctor.id, s.a.admin.id].sort(),
      });
      expect(res.body[2]).toMatchObject({ attempt_status: 'terminated', status: 'ended', watched_by: [s.a.admin.id] });
    });

    it('filters by status, test, start date and review status; pages with skip/limit and X-Total-Count', async () => {
      const ids = async (query: Record<string, string>, total: string) => {
        const res = await get('/api/v1/proctoring/sessions', s.a.adminTokens).query(query);
        if (res.status !== 200) throw new Error(JSON.stringify([query, res.body]));
        expect(res.headers['x-total-count']).toBe(total);
        return res.body.map((x: { invite_id: string }) => x.invite_id);
      };
      expect(await ids({ status: 'live' }, '1')).toEqual([live.invitationId]);
      expect(await ids({ status: 'ended' }, '2')).toEqual([watched.invitationId, unwatched.invitationId]);
      expect(await ids({ test_id: otherTestA.testId }, '1')).toEqual([unwatched.invitationId]);
      expect(await ids({ test_id: testA.testId.toUpperCase() }, '2')).toEqual([
        live.invitationId,
        watched.invitationId,
      ]);
      expect(await ids({ from: '2026-11-28', to: '2026-11-28' }, '1')).toEqual([watched.invitationId]);
      expect(await ids({ from: '2026-11-28T10:00:00.001Z' }, '1')).toEqual([live.invitationId]);
      expect(await ids({ review_status: 'not_reviewed' }, '3')).toHaveLength(3);
      expect(await ids({ review_status: 'violation' }, '0')).toEqual([]);
      expect(await ids({ skip: '1', limit: '1' }, '3')).toEqual([watched.invitationId]);
      expect(await ids({ skip: '5' }, '3')).toEqual([]);
      expect(await ids({ limit: '5000' }, '3')).toHaveLength(3); // clamped, not refused
      // the ends of the calendar are answers, not database errors
      expect(await ids({ from: '1970-01-01', to: '9999-12-31' }, '3')).toHaveLength(3);
      expect(await ids({ from: '9999-12-31T23:59:59.999Z' }, '0')).toEqual([]);
    });

    it.each([
      ['status', 'paused'],
      ['review_status', 'great'],
      ['test_id', 'not-a-uuid'],
      ['tenant_id', 'acme'],
      ['from', 'yesterday'],
      ['to', '2026-13-45'],
      ['limit', '0'],
      ['skip', '-1'],
      ['unknown', 'x'],
    ])('refuses %s=%s with 400 VALIDATION_ERROR', async (name, value) => {
      const res = await get('/api/v1/proctoring/sessions', s.a.adminTokens)
        .query({ [name]: value })
        .expect(400);
      expect(res.body).toMatchObject({ status_code: 400, code: 'VALIDATION_ERROR' });
    });

    it('401 without a token, 403 for a candidate', async () => {
      const anon = await get('/api/v1/proctoring/sessions').expect(401);
      expect(anon.body.code).toBe('NOT_AUTHENTICATED');
      expect(anon.headers['www-authenticate']).toBe('Bearer');
      const candidate = await get('/api/v1/proctoring/sessions', s.a.candidateTokens).expect(403);
      expect(candidate.body.code).toBe('INSUFFICIENT_ROLE');
    });

    it('a proctor sees live sessions and the ended ones it watched, never the others', async () => {
      const res = await get('/api/v1/proctoring/sessions', s.a.proctorTokens).expect(200);
      expect(res.headers['x-total-count']).toBe('2');
      expect(res.body.map((x: { invite_id: string }) => x.invite_id)).toEqual([
        live.invitationId,
        watched.invitationId,
      ]);
      const ended = await get('/api/v1/proctoring/sessions', s.a.proctorTokens).query({ status: 'ended' }).expect(200);
      expect(ended.body.map((x: { invite_id: string }) => x.invite_id)).toEqual([watched.invitationId]);
    });

    it("another tenant's admin sees only its own sessions; a superadmin sees every tenant's", async () => {
      const b = await get('/api/v1/proctoring/sessions', s.b.adminTokens).expect(200);
      expect(b.body.map((x: { invite_id: string }) => x.invite_id)).toEqual([foreign.invitationId]);
      expect(JSON.stringify(b.body)).not.toContain(s.a.tenant.id);
      const onlyB = await get('/api/v1/proctoring/sessions', s.superTokens).query({ tenant_id: s.b.tenant.id });
      expect(onlyB.body.map((x: { invite_id: string }) => x.invite_id)).toEqual([foreign.invitationId]);
      // a tenant_id never widens what an admin sees
      const widened = await get('/api/v1/proctoring/sessions', s.a.adminTokens).query({ tenant_id: s.b.tenant.id });
      expect([widened.status, widened.body, widened.headers['x-total-count']]).toEqual([200, [], '0']);
      const all = await get('/api/v1/proctoring/sessions', s.superTokens).expect(200);
      expect(all.headers['x-total-count']).toBe('4');
      expect(all.body.map((x: { invite_id: string }) => x.invite_id)).toEqual([
        live.invitationId,
        foreign.invitationId,
        watched.invitationId,
        unwatched.invitationId,
      ]);
    });

    it('an admin-created proctor logs in and lists sessions of its own tenant only', async () => {
      const email = 'new-proctor@example.test';
      const created = await t
        .http()
        .post('/users')
        .set(bearer(s.b.adminTokens))
        .send({ email, password: DEFAULT_PASSWORD, full_name: 'New Proctor', role: 'proctor' })
        .expect(201);
      expect(created.body).toMatchObject({ role: 'proctor', tenant_id: s.b.tenant.id });
      const tokens = await loginAs(t, { email, password: DEFAULT_PASSWORD });
      // B's only session ended and this proctor never watched it
      const res = await get('/api/v1/proctoring/sessions', tokens).expect(200);
      expect(res.body).toEqual([]);
      expect(res.headers['x-total-count']).toBe('0');
      await event(t.db, foreign, s.b.tenant.id, 'proctor.watch', created.body.id);
      const after = await get('/api/v1/proctoring/sessions', tokens).expect(200);
      expect(after.body.map((x: { invite_id: string }) => x.invite_id)).toEqual([foreign.invitationId]);
      await get(`/api/v1/proctoring/sessions/${live.invitationId}`, tokens).expect(404);
    });
  });

  describe('GET /api/v1/proctoring/sessions/:invite_id', () => {
    it('the session, its timeline in event order with actors, and no review yet', async () => {
      const res = await get(`/api/v1/proctoring/sessions/${watched.invitationId}`, s.a.adminTokens).expect(200);
      expect(res.body).toMatchObject({ invite_id: watched.invitationId, attempt_id: watched.attemptId, review: null });
      const events = await t.db.query(
        `SELECT e.id::text AS id, e.type FROM attempt_events e WHERE e.attempt_id = $1 ORDER BY e.id`,
        [watched.attemptId],
      );
      expect(res.body.timeline.map((e: { id: string; type: string }) => [e.id, e.type])).toEqual(
        events.map((e: { id: string; type: string }) => [e.id, e.type]),
      );
      expect(res.body.timeline.map((e: { type: string }) => e.type)).toEqual([
        'started',
        'submitted',
        'proctor.watch',
        'proctor.watch',
        'proctor.watch',
        'proctor.flag',
        'proctor.unwatch',
      ]);
      expect(res.body.timeline[0]).toEqual({
        id: events[0].id,
        type: 'started',
        data: {},
        actor: null,
        at: '2026-11-28T10:00:00.000Z',
      });
      expect(res.body.timeline[5]).toMatchObject({
        type: 'proctor.flag',
        data: { reason: 'noise' },
        actor: { id: s.a.proctor.id, name: s.a.proctor.full_name },
      });
    });

    it('a proctor: a live session it did not watch yes, an ended one it did not watch 404', async () => {
      await get(`/api/v1/proctoring/sessions/${live.invitationId}`, s.a.proctorTokens).expect(200);
      await get(`/api/v1/proctoring/sessions/${watched.invitationId}`, s.a.proctorTokens).expect(200);
      const res = await get(`/api/v1/proctoring/sessions/${unwatched.invitationId}`, s.a.proctorTokens).expect(404);
      expect(res.body.code).toBe('PROCTORING_SESSION_NOT_FOUND');
    });

    it("404 for another tenant's session, an invitation never started, an unknown id; 400 for a malformed one", async () => {
      for (const id of [foreign.invitationId, notStarted, '6a1e0f52-3333-4333-8333-333333333333']) {
        const res = await get(`/api/v1/proctoring/sessions/${id}`, s.a.adminTokens).expect(404);
        expect(res.body.code).toBe('PROCTORING_SESSION_NOT_FOUND');
      }
      const bad = await get('/api/v1/proctoring/sessions/not-a-uuid', s.a.adminTokens).expect(400);
      expect(bad.body.code).toBe('INVALID_ID');
      await get(`/api/v1/proctoring/sessions/${live.invitationId}`).expect(401);
      await get(`/api/v1/proctoring/sessions/${live.invitationId}`, s.a.candidateTokens).expect(403);
    });

    it("a superadmin reads any tenant's session", async () => {
      const res = await get(`/api/v1/proctoring/sessions/${foreign.invitationId}`, s.superTokens).expect(200);
      expect(res.body).toMatchObject({ tenant_id: s.b.tenant.id, invite_id: foreign.invitationId });
      expect(res.body.watched_by).toContain(s.b.proctor.id);
    });
  });

  describe('PUT /api/v1/proctoring/sessions/:invite_id/review', () => {
    const path = (id: string) => `/api/v1/proctoring/sessions/${id}/review`;

    it('an admin reviews: upserted row, audit with old/new values, a review event; a second review replaces it', async () => {
      clock.set(new Date('2026-11-29T19:00:00.000Z'));
      const first = await put(path(unwatched.invitationId), s.a.adminTokens, {
        status: 'violation',
        comment: 'Left the room twice',
      }).expect(200);
      expect(first.body).toEqual({
        status: 'violation',
        comment: 'Left the room twice',
        reviewed_by: { id: s.a.admin.id, name: s.a.admin.full_name },
        reviewed_at: '2026-11-29T19:00:00.000Z',
        created_at: '2026-11-29T19:00:00.000Z',
        updated_at: '2026-11-29T19:00:00.000Z',
      });
      expect(await reviewRow(t.db, unwatched.invitationId)).toMatchObject({
        tenant_id: s.a.tenant.id,
        attempt_id: unwatched.attemptId,
        status: 'violation',
        comment: 'Left the room twice',
        reviewed_by: s.a.admin.id,
      });

      clock.set(new Date('2026-11-29T19:30:00.000Z'));
      const second = await put(path(unwatched.invitationId), s.a.adminTokens, { status: 'passed' }).expect(200);
      expect(second.body).toMatchObject({
        status: 'passed',
        comment: null,
        reviewed_at: '2026-11-29T19:30:00.000Z',
        created_at: '2026-11-29T19:00:00.000Z',
        updated_at: '2026-11-29T19:30:00.000Z',
      });
      const rows = await t.db.query(`SELECT * FROM proctoring_reviews WHERE invitation_id = $1`, [
        unwatched.invitationId,
      ]);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ status: 'passed', comment: null });

      const audits = await auditRows(t.db, unwatched.invitationId, 'proctoring.review');
      expect(audits).toHaveLength(2);
      expect(audits[0]).toMatchObject({
        tenant_id: s.a.tenant.id,
        user_id: s.a.admin.id,
        resource_type: 'proctoring_session',
        old_values: null,
        new_values: { status: 'violation', comment: 'Left the room twice', attempt_id: unwatched.attemptId },
      });
      expect(audits[1]).toMatchObject({
        old_values: { status: 'violation', comment: 'Left the room twice', reviewed_by: s.a.admin.id },
        new_values: { status: 'passed', comment: null },
      });
      const events = await reviewEvents(t.db, unwatched.invitationId);
      expect(events.map((e: { data: object; actor_user_id: string }) => [e.data, e.actor_user_id])).toEqual([
        [{ status: 'violation', previous_status: null, comment: 'Left the room twice' }, s.a.admin.id],
        [{ status: 'passed', previous_status: 'violation', comment: null }, s.a.admin.id],
      ]);
      expect(events[0].attempt_id).toBe(unwatched.attemptId);

      // the list and the detail show it
      const list = await get('/api/v1/proctoring/sessions', s.a.adminTokens).query({ review_status: 'passed' });
      expect(list.body).toHaveLength(1);
      expect(list.body[0]).toMatchObject({
        invite_id: unwatched.invitationId,
        review_status: 'passed',
        reviewed_at: '2026-11-29T19:30:00.000Z',
      });
      const notReviewed = await get('/api/v1/proctoring/sessions', s.a.adminTokens).query({
        review_status: 'not_reviewed',
      });
      expect(notReviewed.headers['x-total-count']).toBe('2');
      const detail = await get(`/api/v1/proctoring/sessions/${unwatched.invitationId}`, s.a.adminTokens).expect(200);
      expect(detail.body.review).toMatchObject({ status: 'passed', reviewed_by: { id: s.a.admin.id } });
      expect(detail.body.timeline.slice(-2).map((e: { type: string }) => e.type)).toEqual(['review', 'review']);
    });

    it.each([
      ['an unknown status', { status: 'fine' }, 'status'],
      ['no status', {}, 'status'],
      ['a comment of 2001 characters', { status: 'passed', comment: 'x'.repeat(2001) }, 'comment'],
      ['a comment not a string', { status: 'passed', comment: 42 }, 'comment'],
      ['an unknown field', { status: 'passed', verdict: 'x' }, 'verdict'],
    ])('refuses %s with 400 and writes nothing', async (_label, body, field) => {
      const res = await put(path(watched.invitationId), s.a.adminTokens, body).expect(400);
      expect(res.body.code).toBe('VALIDATION_ERROR');
      expect(JSON.stringify(res.body.errors)).toContain(field);
      expect(await reviewRow(t.db, watched.invitationId)).toBeUndefined();
      expect(await reviewEvents(t.db, watched.invitationId)).toEqual([]);
    });

    it('takes a comment of exactly 2000 characters', async () => {
      const res = await put(path(live.invitationId), s.a.adminTokens, {
        status: 'suspicious',
        comment: 'y'.repeat(2000),
      }).expect(200);
      expect(res.body.comment).toHaveLength(2000);
    });

    it('400 for a malformed id, 401 without a token, 403 for a candidate; nothing written', async () => {
      expect((await put(path('nope'), s.a.adminTokens, { status: 'passed' }).expect(400)).body.code).toBe('INVALID_ID');
      await put(path(watched.invitationId), null, { status: 'passed' }).expect(401);
      const res = await put(path(watched.invitationId), s.a.candidateTokens, { status: 'passed' }).expect(403);
      expect(res.body.code).toBe('INSUFFICIENT_ROLE');
      expect(await reviewRow(t.db, watched.invitationId)).toBeUndefined();
    });

    it('a proctor reviews a session it watched; a live one it did not watch is 403, an ended one 404', async () => {
      const ok = await put(path(watched.invitationId), s.a.proctorTokens, { status: 'suspicious' }).expect(200);
      expect(ok.body.reviewed_by.id).toBe(s.a.proctor.id);
      expect(await reviewRow(t.db, watched.invitationId)).toMatchObject({ status: 'suspicious' });

      const liveBefore = await reviewRow(t.db, live.invitationId);
      const denied = await put(path(live.invitationId), s.a.proctorTokens, { status: 'passed' }).expect(403);
      expect(denied.body.code).toBe('PROCTORING_REVIEW_NOT_ALLOWED');
      expect(await reviewRow(t.db, live.invitationId)).toEqual(liveBefore);

      const hidden = await put(path(unwatched.invitationId), s.a.proctorTokens, { status: 'violation' }).expect(404);
      expect(hidden.body.code).toBe('PROCTORING_SESSION_NOT_FOUND');
      expect(await reviewRow(t.db, unwatched.invitationId)).toMatchObject({ status: 'passed' });
    });

    it("another tenant's admin gets 404 and changes nothing; an invitation never started is 404", async () => {
      const before = await reviewRow(t.db, unwatched.invitationId);
      const eventsBefore = await reviewEvents(t.db, unwatched.invitationId);
      const res = await put(path(unwatched.invitationId), s.b.adminTokens, { status: 'violation' }).expect(404);
      expect(res.body.code).toBe('PROCTORING_SESSION_NOT_FOUND');
      expect(await reviewRow(t.db, unwatched.invitationId)).toEqual(before);
      expect(await reviewEvents(t.db, unwatched.invitationId)).toEqual(eventsBefore);

      await put(path(notStarted), s.a.adminTokens, { status: 'passed' }).expect(404);
      expect(await reviewRow(t.db, notStarted)).toBeUndefined();
    });

    it('parallel first reviews leave one row, and every audit row names the values it replaced', async () => {
      const fresh = await createSubmittedAttempt(t, testA, { startedAt: new Date('2026-11-20T10:00:00Z') });
      const statuses = ['passed', 'violation', 'suspicious', 'not_reviewed', 'passed', 'violation'] as const;
      const responses = await Promise.all(
        statuses.map((status, i) => put(path(fresh.invitationId), s.a.adminTokens, { status, comment: `r${i}` })),
      );
      expect(responses.map((r) => r.status)).toEqual(statuses.map(() => 200));
      const rows = await t.db.query(`SELECT * FROM proctoring_reviews WHERE invitation_id = $1`, [fresh.invitationId]);
      expect(rows).toHaveLength(1);
      const audits = await auditRows(t.db, fresh.invitationId, 'proctoring.review');
      const events = await reviewEvents(t.db, fresh.invitationId);
      expect(audits).toHaveLength(statuses.length);
      expect(events).toHaveLength(statuses.length);
      // serialised by the review row's lock: exactly one insert, then each update saw the one before it
      expect(audits.filter((a: { old_values: unknown }) => a.old_values === null)).toHaveLength(1);
      const comments = events.map((e: { data: { comment: string } }) => e.data.comment);
      expect(new Set(comments).size).toBe(statuses.length);
      for (let i = 1; i < events.length; i++) {
        expect(events[i].data.previous_status).toBe(events[i - 1].data.status);
      }
      expect(rows[0].comment).toBe(comments[comments.length - 1]);
    });

    it("a superadmin reviews another tenant's session, audited in that tenant", async () => {
      await put(path(foreign.invitationId), s.superTokens, { status: 'passed', comment: null }).expect(200);
      expect(await reviewRow(t.db, foreign.invitationId)).toMatchObject({
        tenant_id: s.b.tenant.id,
        reviewed_by: s.superadminId,
      });
      const [audit] = await auditRows(t.db, foreign.invitationId, 'proctoring.review');
      expect(audit).toMatchObject({ tenant_id: s.b.tenant.id, user_id: s.superadminId });
      const [reviewEvent] = await reviewEvents(t.db, foreign.invitationId);
      expect(reviewEvent).toMatchObject({ tenant_id: s.b.tenant.id, actor_user_id: s.superadminId });
    });
  });

  describe('GET /api/v1/proctoring/ice-servers', () => {
    it('any signed-in user gets the servers; TURN entries carry <expiry>:<user id> and its HMAC-SHA1', async () => {
      clock.set(new Date('2026-11-29T20:00:00.750Z'));
      const expiry = Math.floor(clock.now().getTime() / 1000) + 600;
      for (const tokens of [s.a.candidateTokens, s.a.proctorTokens, s.a.adminTokens, s.superTokens]) {
        const res = await get('/api/v1/proctoring/ice-servers', tokens).expect(200);
        const username = `${expiry}:${tokens.user.id}`;
        const credential = createHmac('sha1', TURN_SECRET).update(username).digest('base64');
        expect(res.body).toEqual({
          ice_servers: [ICE[0], { urls: ICE[1].urls, username, credential }],
          ttl_seconds: 600,
        });
        expect(res.text).not.toContain(TURN_SECRET);
        expect(res.headers['cache-control']).toBe('no-store'); // credentials: never cached
      }
      clock.advance(60_000);
      const later = await get('/api/v1/proctoring/ice-servers', s.a.candidateTokens).expect(200);
      expect(later.body.ice_servers[1].username).toBe(`${expiry + 60}:${s.a.candidate.id}`);
    });

    it('401 without a token', async () => {
      const res = await get('/api/v1/proctoring/ice-servers').expect(401);
      expect(res.body.code).toBe('NOT_AUTHENTICATED');
    });
  });

  describe('a proctor and results', () => {
    it('reads the result of an attempt it watched, 404 for others; the results list stays admin-only', async () => {
      const res = await get(`/api/results/${watched.attemptId}`, s.a.proctorTokens).expect(200);
      expect(res.body).toMatchObject({ id: watched.attemptId, invite_id: watched.invitationId });
      const hidden = await get(`/api/results/${unwatched.attemptId}`, s.a.proctorTokens).expect(404);
      expect(hidden.body.code).toBe('RESULT_NOT_FOUND');
      await get(`/api/results/${foreign.attemptId}`, s.a.proctorTokens).expect(404);
      // B's proctor watched B's attempt: still nothing of A
      await get(`/api/results/${watched.attemptId}`, s.b.proctorTokens).expect(404);
      expect((await get('/api/results', s.a.proctorTokens).expect(403)).body.code).toBe('INSUFFICIENT_ROLE');
      await get(`/api/results/${watched.attemptId}`, s.a.adminTokens).expect(200);
    });
  });
});
