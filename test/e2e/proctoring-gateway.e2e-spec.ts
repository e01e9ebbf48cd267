import * as jwt from 'jsonwebtoken';
import type { Socket } from 'socket.io-client';
import { AttemptSweeperService } from '../../src/modules/timed-tests/taking/attempt-sweeper.service';
import { ProctoringGateway } from '../../src/modules/proctoring/proctoring.gateway';
import { bearer, createTenantWithStaff } from '../setup/factories';
import { setupTwoTenants, TwoTenants } from '../setup/fixtures';
import {
  ack,
  closed,
  collect,
  connectPeer,
  Json,
  listen,
  nextEvent,
  openInvite,
  pause,
  refusal,
  startedInvite,
} from '../setup/proctoring';
import { createTestApp, TEST_SECRET, TestApp } from '../setup/test-app';
import { controlClock, insertTest, InsertedTest, NO_WORKERS } from '../setup/timed-tests';

const ALLOWED_ORIGIN = 'http://allowed.example.test';

describe('Proctoring gateway (Socket.IO /proctoring, docs/proctoring.md)', () => {
  let t: TestApp;
  let w: TwoTenants;
  let url: string;
  let testA: InsertedTest;
  let testB: InsertedTest;
  let seq = 0;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    t = await createTestApp({
      ...NO_WORKERS,
      CORS_ORIGINS: ALLOWED_ORIGIN,
      RATE_LIMIT_PROCTORING_HANDSHAKE_IP_LIMIT: '100000',
      RATE_LIMIT_INVITE_TOKEN_MISSES_LIMIT: '1000',
      PROCTORING_RECHECK_MS: '500',
    });
    w = await setupTwoTenants(t);
    testA = await insertTest(t.db, w.a.tenant.id, { title: 'Proctored A' });
    testB = await insertTest(t.db, w.b.tenant.id, { title: 'Proctored B' });
    url = await listen(t);
  });
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    jest.restoreAllMocks();
    // the server sees the disconnects shortly after: let the next test start from an empty namespace
    for (let i = 0; i < 50 && socketCount() > 0; i += 1) await pause(20);
  });
  afterAll(async () => {
    await t.close();
  });

  const email = () => `cand-${++seq}@example.test`;
  async function peer(auth: Record<string, unknown>, headers: Record<string, string> = {}) {
    const p = await connectPeer(url, auth, headers);
    sockets.push(p.socket);
    return p;
  }
  const staff = (tokens: { access_token: string }) => peer({ token: tokens.access_token });
  const events = async (inviteId: string) =>
    (await t.db.query(`SELECT type, data, actor_user_id FROM attempt_events WHERE invitation_id = $1 ORDER BY id`, [
      inviteId,
    ])) as { type: string; data: Record<string, unknown>; actor_user_id: string | null }[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const namespace = () => (t.app.get(ProctoringGateway) as any).server;
  const roomCount = () => namespace().adapter.rooms.size as number;
  const socketCount = () => namespace().sockets.size as number;

  /** A candidate connected and a staff peer watching it. */
  async function watchedPair(tokens = w.a.proctorTokens, admin = w.a.adminTokens, test = testA) {
    const invite = await startedInvite(t, admin, test, email());
    const cand = await peer({ invite_token: invite.token });
    const proctor = await staff(tokens);
    const watched = await ack(proctor.socket, 'session:watch', { invite_id: invite.id });
    expect(watched.ok).toBe(true);
    return { invite, cand, proctor };
  }

  it('vertical slice: ready, watch, signal both ways with the server setting from, integrity events', async () => {
    const invite = await startedInvite(t, w.a.adminTokens, testA, email());
    const proctor = await staff(w.a.proctorTokens);
    expect(proctor.ready).toMatchObject({ role: 'proctor', ice_servers: expect.any(Array) });
    expect(proctor.ready.peer_id).toMatch(/^p_[A-Za-z0-9_-]{24}$/);
    const started = nextEvent(proctor.socket, 'session:started');
    const cand = await peer({ invite_token: invite.token });
    expect(cand.ready).toMatchObject({
      role: 'candidate',
      invite_id: invite.id,
      attempt_id: invite.attemptId,
      deadline: expect.any(String),
    });
    expect((await started).session).toMatchObject({ invite_id: invite.id, connected: true, watchers: 0 });

    const joined = nextEvent(cand.socket, 'proctor:joined');
    const watched = await ack(proctor.socket, 'session:watch', { invite_id: invite.id });
    expect(watched).toMatchObject({
      ok: true,
      session: {
        invite_id: invite.id,
        attempt_id: invite.attemptId,
        tenant_id: w.a.tenant.id,
        test_title: 'Proctored A',
        connected: true,
        watchers: 1,
        flags: 0,
        integrity_events: 0,
      },
      candidates: [{ peer_id: cand.ready.peer_id }],
    });
    expect(await joined).toEqual({
      peer_id: proctor.ready.peer_id,
      proctor: { id: w.a.proctor.id, name: w.a.proctor.full_name },
    });

    const offer = nextEvent(proctor.socket, 'signal');
    expect(
      await ack(cand.socket, 'signal', {
        to: proctor.ready.peer_id,
        type: 'offer',
        sdp: 'v=0 offer',
        from: 'p_forgedforgedforgedforged',
      }),
    ).toEqual({ ok: true });
    expect(await offer).toEqual({ from: cand.ready.peer_id, type: 'offer', sdp: 'v=0 offer' });
    const answer = nextEvent(cand.socket, 'signal');
    expect(await ack(proctor.socket, 'signal', { to: cand.ready.peer_id, type: 'answer', sdp: 'v=0 answer' })).toEqual({
      ok: true,
    });
    expect(await answer).toEqual({ from: proctor.ready.peer_id, type: 'answer', sdp: 'v=0 answer' });
    const ice = nextEvent(proctor.socket, 'signal');
    const candidate = { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 };
    expect(await ack(cand.socket, 'signal', { to: proctor.ready.peer_id, type: 'ice-candidate', candidate })).toEqual({
      ok: true,
    });
    expect(await ice).toEqual({ from: cand.ready.peer_id, type: 'ice-candidate', candidate });

    const pushed = nextEvent(proctor.socket, 'integrity:event');
    const logged = await ack(cand.socket, 'integrity:event', { type: 'tab_hidden', detail: 'switched away' });
    expect(logged).toEqual({ ok: true, event_id: expect.any(String) });
    expect(await pushed).toEqual({
      invite_id: invite.id,
      event_id: logged.event_id,
      type: 'tab_hidden',
      detail: 'switched away',
      at: expect.any(String),
    });
    const list = await ack(proctor.socket, 'sessions:list', {});
    expect(list.sessions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ invite_id: invite.id, connected: true, watchers: 1, integrity_events: 1 }),
      ]),
    );
    const rows = await events(invite.id);
    expect(rows.map((r) => r.type)).toEqual([
      'started',
      'candidate.connected',
      'proctor.watch',
      'integrity.tab_hidden',
    ]);
    expect(rows[2].actor_user_id).toBe(w.a.proctor.id);
    expect(rows[3].data).toEqual({ detail: 'switched away' });

    const left = nextEvent(cand.socket, 'proctor:left');
    expect(await ack(proctor.socket, 'session:unwatch', { invite_id: invite.id })).toEqual({ ok: true });
    expect(await left).toEqual({ peer_id: proctor.ready.peer_id });
    expect(await ack(cand.socket, 'signal', { to: proctor.ready.peer_id, type: 'offer', sdp: 'v=0' })).toMatchObject({
      ok: false,
      error: { code: 'PEER_NOT_FOUND' },
    });
    expect((await events(invite.id)).map((r) => r.type).slice(-1)).toEqual(['proctor.unwatch']);
  });

  describe('refused handshakes: the code as connect_error, nothing joined, nothing written', () => {
    async function expectRefused(
      auth: Record<string, unknown> | undefined,
      code: string,
      headers = {},
      inviteId?: string,
    ) {
      const before = {
        rooms: roomCount(),
        sockets: socketCount(),
        events: inviteId ? (await events(inviteId)).length : 0,
      };
      const refused = await refusal(url, auth, headers);
      expect(refused.message).toBe(code);
      expect(refused.data).toMatchObject({ code, detail: expect.any(String) });
      await pause(50);
      expect({ rooms: roomCount(), sockets: socketCount() }).toEqual({ rooms: before.rooms, sockets: before.sockets });
      if (inviteId) expect((await events(inviteId)).length).toBe(before.events);
    }

    it('no auth, garbage, a refresh token, a wrong-typed token', async () => {
      await expectRefused(undefined, 'NOT_AUTHENTICATED');
      await expectRefused({}, 'NOT_AUTHENTICATED');
      await expectRefused({ token: 'garbage' }, 'INVALID_TOKEN');
      await expectRefused({ token: 42 }, 'INVALID_TOKEN');
      await expectRefused({ token: w.a.proctorTokens.refresh_token }, 'INVALID_TOKEN');
      await expectRefused({ invite_token: 'x'.repeat(5000) }, 'INVALID_TOKEN');
    });

    it('an expired token, and one signed with another key', async () => {
      const claims = jwt.decode(w.a.proctorTokens.access_token) as Record<string, unknown>;
      const now = Math.floor(Date.now() / 1000);
      const expired = jwt.sign({ ...claims, iat: now - 3600, exp: now - 60 }, TEST_SECRET, { algorithm: 'HS256' });
      await expectRefused({ token: expired }, 'TOKEN_EXPIRED');
      const forged = jwt.sign({ ...claims }, 'another-secret-key-that-is-long-enough', { algorithm: 'HS256' });
      await expectRefused({ token: forged }, 'INVALID_TOKEN');
    });

    it('a revoked session and a candidate account', async () => {
      const s = await createTenantWithStaff(t);
      await t.http().post('/auth/logout').set(bearer(s.proctorTokens)).send({}).expect(200);
      await expectRefused({ token: s.proctorTokens.access_token }, 'SESSION_REVOKED');
      await expectRefused({ token: s.candidateTokens.access_token }, 'FORBIDDEN');
    });

    it('a foreign Origin when CORS_ORIGINS is set; the allowed one and none get in', async () => {
      await expectRefused({ token: w.a.proctorTokens.access_token }, 'ORIGIN_NOT_ALLOWED', {
        origin: 'http://evil.example.test',
      });
      expect((await refusal(url, { token: w.a.proctorTokens.access_token }, { origin: ALLOWED_ORIGIN })).message).toBe(
        'CONNECTED',
      );
      // the app's own pages: the origin the socket came to
      expect((await refusal(url, { token: w.a.proctorTokens.access_token }, { origin: url })).message).toBe(
        'CONNECTED',
      );
      expect((await refusal(url, { token: w.a.proctorTokens.access_token })).message).toBe('CONNECTED');
    });

    it('candidates: unknown token, a not-started attempt, a finished one', async () => {
      await expectRefused({ invite_token: 'A'.repeat(43) }, 'INVALID_TOKEN');
      const open = await openInvite(t, w.a.adminTokens, testA, email());
      await expectRefused({ invite_token: open.token }, 'ATTEMPT_NOT_IN_PROGRESS', {}, open.id);
      const done = await startedInvite(t, w.a.adminTokens, testA, email());
      await t.http().post(`/api/submit-test/${done.token}`).send({ answers: [] }).expect(200);
      await expectRefused({ invite_token: done.token }, 'ATTEMPT_NOT_IN_PROGRESS', {}, done.id);
    });
  });

  it('isolation: another attempt or tenant never gets a signal; a foreign invitation is NOT_FOUND', async () => {
    const a = await watchedPair();
    const b = await watchedPair(w.b.proctorTokens, w.b.adminTokens, testB);
    const seenA = collect(a.proctor.socket, 'signal');
    const seenCandA = collect(a.cand.socket, 'signal');
    const seenB = collect(b.proctor.socket, 'signal');
    const seenCandB = collect(b.cand.socket, 'signal');
    const miss = { ok: false, error: { code: 'PEER_NOT_FOUND', detail: expect.any(String) } };
    // candidate A → proctor B (watching B only), proctor B → candidate A, candidate → candidate, proctor → proctor
    expect(await ack(a.cand.socket, 'signal', { to: b.proctor.ready.peer_id, type: 'offer', sdp: 'x' })).toEqual(miss);
    expect(await ack(b.proctor.socket, 'signal', { to: a.cand.ready.peer_id, type: 'offer', sdp: 'x' })).toEqual(miss);
    expect(await ack(a.cand.socket, 'signal', { to: b.cand.ready.peer_id, type: 'offer', sdp: 'x' })).toEqual(miss);
    expect(await ack(a.proctor.socket, 'signal', { to: b.proctor.ready.peer_id, type: 'offer', sdp: 'x' })).toEqual(
      miss,
    );
    expect(
      await ack(a.proctor.socket, 'signal', { to: 'p_AAAAAAAAAAAAAAAAAAAAAAAA', type: 'offer', sdp: 'x' }),
    ).toEqual(miss);
    const foreign = { ok: false, error: { code: 'NOT_FOUND', detail: expect.any(String) } };
    expect(await ack(b.proctor.socket, 'session:watch', { invite_id: a.invite.id })).toEqual(foreign);
    expect(await ack(b.proctor.socket, 'proctor:message', { invite_id: a.invite.id, text: 'hi' })).toEqual(foreign);
    expect(await ack(b.proctor.socket, 'proctor:flag', { invite_id: a.invite.id, reason: 'x' })).toEqual(foreign);
    expect(await ack(b.proctor.socket, 'proctor:terminate', { invite_id: a.invite.id, reason: 'x' })).toEqual(foreign);
    const listB = await ack(b.proctor.socket, 'sessions:list', {});
    expect(listB.sessions.map((s: Json) => s.invite_id)).not.toContain(a.invite.id);
    // staff-only events from a candidate, and a candidate-only one from staff
    expect(await ack(a.cand.socket, 'session:watch', { invite_id: a.invite.id })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await ack(a.proctor.socket, 'integrity:event', { type: 'copy' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    await pause(100);
    expect([seenA, seenCandA, seenB, seenCandB]).toEqual([[], [], [], []]);
    expect((await events(a.invite.id)).map((e) => e.type)).not.toContain('proctor.message');
  });

  it('a superadmin lists and watches any tenant; ready carries the configured ICE servers', async () => {
    const inviteB = await startedInvite(t, w.b.adminTokens, testB, email());
    const sup = await staff(w.superTokens);
    expect(sup.ready).toEqual({ peer_id: expect.any(String), role: 'superadmin', ice_servers: t.config.iceServers });
    const started = nextEvent(sup.socket, 'session:started');
    const cand = await peer({ invite_token: inviteB.token });
    expect((await started).session).toMatchObject({ invite_id: inviteB.id, tenant_id: w.b.tenant.id });
    const onlyB = await ack(sup.socket, 'sessions:list', { tenant_id: w.b.tenant.id });
    expect(onlyB.sessions.length).toBeGreaterThan(0);
    expect(onlyB.sessions.every((s: Json) => s.tenant_id === w.b.tenant.id)).toBe(true);
    expect(onlyB.sessions).toEqual(
      expect.arrayContaining([expect.objectContaining({ invite_id: inviteB.id, connected: true })]),
    );
    // a tenant_id from anyone else changes nothing
    const proctorA = await staff(w.a.proctorTokens);
    const mine = await ack(proctorA.socket, 'sessions:list', { tenant_id: w.b.tenant.id });
    expect(mine.sessions.every((s: Json) => s.tenant_id === w.a.tenant.id)).toBe(true);
    const watched = await ack(sup.socket, 'session:watch', { invite_id: inviteB.id });
    expect(watched).toMatchObject({ ok: true, candidates: [{ peer_id: cand.ready.peer_id }] });
    const offer = nextEvent(sup.socket, 'signal');
    await ack(cand.socket, 'signal', { to: sup.ready.peer_id, type: 'offer', sdp: 'to super' });
    expect((await offer).sdp).toBe('to super');
    const [row] = (await events(inviteB.id)).filter((e) => e.type === 'proctor.watch');
    expect(row.actor_user_id).toBe(w.superadminId);
  });

  it('several proctors per candidate, one proctor for several candidates', async () => {
    const one = await watchedPair();
    const admin = await staff(w.a.adminTokens);
    expect((await ack(admin.socket, 'session:watch', { invite_id: one.invite.id })).session.watchers).toBe(2);
    const two = await startedInvite(t, w.a.adminTokens, testA, email());
    const cand2 = await peer({ invite_token: two.token });
    await ack(one.proctor.socket, 'session:watch', { invite_id: two.id });
    const toProctor = collect(one.proctor.socket, 'signal');
    const toAdmin = collect(admin.socket, 'signal');
    await ack(one.cand.socket, 'signal', { to: one.proctor.ready.peer_id, type: 'offer', sdp: 'for proctor' });
    await ack(one.cand.socket, 'signal', { to: admin.ready.peer_id, type: 'offer', sdp: 'for admin' });
    await ack(cand2.socket, 'signal', { to: one.proctor.ready.peer_id, type: 'offer', sdp: 'second candidate' });
    // the admin does not watch the second candidate
    expect(await ack(cand2.socket, 'signal', { to: admin.ready.peer_id, type: 'offer', sdp: 'no' })).toMatchObject({
      ok: false,
      error: { code: 'PEER_NOT_FOUND' },
    });
    const back1 = nextEvent(one.cand.socket, 'signal');
    const back2 = nextEvent(cand2.socket, 'signal');
    await ack(one.proctor.socket, 'signal', { to: one.cand.ready.peer_id, type: 'answer', sdp: 'a1' });
    await ack(one.proctor.socket, 'signal', { to: cand2.ready.peer_id, type: 'answer', sdp: 'a2' });
    expect([(await back1).sdp, (await back2).sdp]).toEqual(['a1', 'a2']);
    await pause(100);
    expect(toProctor.map((s) => [s.from, s.sdp])).toEqual([
      [one.cand.ready.peer_id, 'for proctor'],
      [cand2.ready.peer_id, 'second candidate'],
    ]);
    expect(toAdmin.map((s) => [s.from, s.sdp])).toEqual([[one.cand.ready.peer_id, 'for admin']]);
  });

  it('malformed and oversized payloads are VALIDATION_ERROR while a parallel pair keeps relaying', async () => {
    const bad = await watchedPair();
    const good = await watchedPair();
    const relayed = collect(good.proctor.socket, 'signal');
    const relay = (async () => {
      for (let i = 0; i < 40; i += 1) {
        const res = await ack(good.cand.socket, 'signal', {
          to: good.proctor.ready.peer_id,
          type: 'offer',
          sdp: `s${i}`,
        });
        expect(res).toEqual({ ok: true });
      }
    })();
    const to = bad.proctor.ready.peer_id;
    const invalid = [
      'a string',
      42,
      [1, 2],
      null,
      { to, type: 'bogus', sdp: 'x' },
      { to, type: 'offer' },
      { to, type: 'offer', sdp: 5 },
      { to, type: 'offer', sdp: 'x'.repeat(16 * 1024 + 1) },
      { to: 'not-a-peer', type: 'offer', sdp: 'x' },
      { to, type: 'offer', sdp: 'x', extra: true },
      { to, type: 'ice-candidate', candidate: { candidate: 'c', evil: 1 } },
      { to, type: 'ice-candidate', candidate: 'c' },
    ];
    for (const payload of invalid) {
      expect(await ack(bad.cand.socket, 'signal', payload)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_ERROR' },
      });
    }
    for (const payload of [{ type: 'nope' }, { type: 'copy', detail: 'x'.repeat(501) }, { type: 'copy', detail: 1 }]) {
      expect(await ack(bad.cand.socket, 'integrity:event', payload)).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_ERROR' },
      });
    }
    expect(await ack(bad.proctor.socket, 'proctor:message', { invite_id: bad.invite.id, text: '' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_ERROR' },
    });
    expect(await ack(bad.proctor.socket, 'session:watch', { invite_id: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_ERROR' },
    });
    // unknown events are ignored; a message over 64 KiB closes that connection only
    bad.cand.socket.emit('no:such:event', {});
    const gone = closed(bad.cand.socket);
    bad.cand.socket.emit('signal', { to, type: 'offer', sdp: 'x'.repeat(70 * 1024) });
    await gone;
    await relay;
    expect(relayed.length).toBe(40);
    expect((await events(bad.invite.id)).map((e) => e.type)).not.toContain('integrity.copy');
  });

  it('a flood is RATE_LIMITED for that socket only; sustained abuse drops it', async () => {
    const flood = await watchedPair();
    const good = await watchedPair();
    const answers = await Promise.all(
      Array.from({ length: 250 }, (_, i) =>
        ack(flood.cand.socket, 'signal', { to: flood.proctor.ready.peer_id, type: 'offer', sdp: `f${i}` }),
      ),
    );
    const limited = answers.filter((a) => a.error?.code === 'RATE_LIMITED').length;
    expect(limited).toBeGreaterThan(100);
    expect(answers.filter((a) => a.ok).length).toBeGreaterThanOrEqual(100);
    for (let i = 0; i < 20; i += 1) {
      expect(
        await ack(good.cand.socket, 'signal', { to: good.proctor.ready.peer_id, type: 'offer', sdp: 'fine' }),
      ).toEqual({ ok: true });
    }
    const dropped = closed(flood.cand.socket);
    for (let i = 0; i < 1500 && flood.cand.socket.connected; i += 1) flood.cand.socket.emit('integrity:event', {});
    await dropped;
    expect(await ack(good.cand.socket, 'signal', { to: good.proctor.ready.peer_id, type: 'offer', sdp: 'ok' })).toEqual(
      {
        ok: true,
      },
    );
  });

  it('proctor:message and proctor:flag: stored, pushed, the flag audited', async () => {
    const { invite, cand, proctor } = await watchedPair();
    const toCand = nextEvent(cand.socket, 'proctor:message');
    const msg = await ack(proctor.socket, 'proctor:message', { invite_id: invite.id, text: 'Eyes on screen' });
    expect(msg).toEqual({ ok: true, event_id: expect.any(String) });
    expect(await toCand).toEqual({
      invite_id: invite.id,
      event_id: msg.event_id,
      text: 'Eyes on screen',
      from: { id: w.a.proctor.id, name: w.a.proctor.full_name },
      at: expect.any(String),
    });
    const flagged = nextEvent(proctor.socket, 'proctor:flag');
    const candFlags = collect(cand.socket, 'proctor:flag');
    const flag = await ack(proctor.socket, 'proctor:flag', { invite_id: invite.id, reason: 'phone', severity: 'high' });
    expect(flag).toEqual({ ok: true, event_id: expect.any(String) });
    expect(await flagged).toMatchObject({ invite_id: invite.id, reason: 'phone', severity: 'high' });
    const rows = await events(invite.id);
    expect(rows.slice(-2)).toEqual([
      { type: 'proctor.message', data: { text: 'Eyes on screen' }, actor_user_id: w.a.proctor.id },
      { type: 'proctor.flag', data: { reason: 'phone', severity: 'high' }, actor_user_id: w.a.proctor.id },
    ]);
    const audit = await t.db.query(
      `SELECT user_id, tenant_id FROM audit_logs WHERE action = 'proctoring.flag' AND resource_id = $1`,
      [invite.attemptId],
    );
    expect(audit).toEqual([{ user_id: w.a.proctor.id, tenant_id: w.a.tenant.id }]);
    expect((await ack(proctor.socket, 'sessions:list', {})).sessions).toEqual(
      expect.arrayContaining([expect.objectContaining({ invite_id: invite.id, flags: 1 })]),
    );
    await pause(50);
    expect(candFlags).toEqual([]);
  });

  it('terminate ends the attempt through the submit path; answers kept; the candidate is told and dropped', async () => {
    const { invite, cand, proctor } = await watchedPair();
    const mc = testA.questions[0].id;
    await t
      .http()
      .put(`/api/take-test/${invite.token}/answers`)
      .send({ answers: [{ question_id: mc, answer: '4' }] })
      .expect(200);
    const watcherOnly = await staff(w.a.adminTokens);
    const ended = nextEvent(watcherOnly.socket, 'session:ended');
    const told = nextEvent(cand.socket, 'attempt:terminated');
    const gone = closed(cand.socket);
    const res = await ack(proctor.socket, 'proctor:terminate', { invite_id: invite.id, reason: 'Impersonation' });
    expect(res).toMatchObject({ ok: true, result: { message: expect.any(String), auto_score: expect.anything() } });
    expect(await told).toEqual({ invite_id: invite.id, reason: 'Impersonation' });
    expect(await ended).toEqual({ invite_id: invite.id, status: 'terminated' });
    await gone;
    const [attempt] = await t.db.query(`SELECT status, submitted_at, auto_score FROM test_attempts WHERE id = $1`, [
      invite.attemptId,
    ]);
    expect(attempt).toMatchObject({ status: 'terminated', submitted_at: expect.any(Date) });
    expect(Number(attempt.auto_score)).toBeGreaterThan(0);
    const [inv] = await t.db.query(`SELECT status FROM invitations WHERE id = $1`, [invite.id]);
    expect(inv.status).toBe('completed');
    const answers = await t.db.query(
      `SELECT question_id, answer, is_correct FROM attempt_answers WHERE attempt_id = $1`,
      [invite.attemptId],
    );
    expect(answers).toEqual(expect.arrayContaining([{ question_id: mc, answer: '4', is_correct: true }]));
    const log = await events(invite.id);
    expect(log.find((e) => e.type === 'terminated')).toMatchObject({
      actor_user_id: w.a.proctor.id,
      data: expect.objectContaining({ reason: 'Impersonation' }),
    });
    const audit = await t.db.query(
      `SELECT user_id FROM audit_logs WHERE action = 'attempt.terminate' AND resource_id = $1`,
      [invite.attemptId],
    );
    expect(audit).toEqual([{ user_id: w.a.proctor.id }]);
    expect(await ack(proctor.socket, 'proctor:terminate', { invite_id: invite.id, reason: 'again' })).toMatchObject({
      ok: false,
      error: { code: 'ATTEMPT_NOT_IN_PROGRESS' },
    });
    expect((await refusal(url, { invite_token: invite.token })).message).toBe('ATTEMPT_NOT_IN_PROGRESS');
  });

  it('a REST submit pushes session:ended and drops the candidate; the deadline job pushes attempt:deadline', async () => {
    const { invite, cand, proctor } = await watchedPair();
    const toStaff = nextEvent(proctor.socket, 'session:ended');
    const toCand = nextEvent(cand.socket, 'session:ended');
    const gone = closed(cand.socket);
    await t.http().post(`/api/submit-test/${invite.token}`).send({ answers: [] }).expect(200);
    expect(await toStaff).toEqual({ invite_id: invite.id, status: 'submitted' });
    expect(await toCand).toEqual({ invite_id: invite.id, status: 'submitted' });
    await gone;

    const late = await watchedPair();
    const clock = controlClock(t);
    const deadline = nextEvent(late.proctor.socket, 'attempt:deadline');
    const candDeadline = nextEvent(late.cand.socket, 'attempt:deadline');
    const lateGone = closed(late.cand.socket);
    clock.advance(3 * 60 * 60 * 1000);
    await t.app.get(AttemptSweeperService).sweepExpiredAttempts(clock.now());
    expect(await deadline).toEqual({ invite_id: late.invite.id, deadline: expect.any(String) });
    expect(await candDeadline).toEqual({ invite_id: late.invite.id, deadline: expect.any(String) });
    await lateGone;
  });

  it('a candidate whose attempt ended unnoticed (another path, a race) is told and dropped by the re-check', async () => {
    const invite = await startedInvite(t, w.a.adminTokens, testA, email());
    const cand = await peer({ invite_token: invite.token });
    const other = await startedInvite(t, w.a.adminTokens, testA, email());
    const stays = await peer({ invite_token: other.token });
    const told = nextEvent(cand.socket, 'session:ended');
    const gone = closed(cand.socket, 5000);
    await t.db.query(`UPDATE test_attempts SET status = 'auto_submitted', submitted_at = now() WHERE id = $1`, [
      invite.attemptId,
    ]);
    expect(await told).toEqual({ invite_id: invite.id, status: 'auto_submitted' });
    await gone;
    await pause(600);
    expect(stays.socket.connected).toBe(true);
  });

  it('a deactivated proctor, a revoked session or a deactivated tenant loses its sockets within 5 s', async () => {
    const s = await createTenantWithStaff(t);
    const proctor = await staff(s.proctorTokens);
    const admin = await staff(s.adminTokens);
    const other = await staff(w.a.proctorTokens);
    const t0 = Date.now();
    await t.db.query(`UPDATE users SET is_active = false WHERE id = $1`, [s.proctor.id]);
    await closed(proctor.socket, 5000);
    expect(Date.now() - t0).toBeLessThan(5000);
    await t.http().post('/auth/logout').set(bearer(s.adminTokens)).send({}).expect(200);
    await closed(admin.socket, 5000);
    const s2 = await createTenantWithStaff(t);
    const p2 = await staff(s2.proctorTokens);
    await t.db.query(`UPDATE tenants SET is_active = false WHERE id = $1`, [s2.tenant.id]);
    await closed(p2.socket, 5000);
    await pause(600);
    expect(other.socket.connected).toBe(true);
  });
});
