import type { Socket } from 'socket.io-client';
import { setupTwoTenants, TwoTenants } from '../setup/fixtures';
import { ack, collect, connectPeer, nextEvent, pause, refusal, startedInvite } from '../setup/proctoring';
import { createTestApp, TestApp } from '../setup/test-app';
import { insertTest, InsertedTest, NO_WORKERS } from '../setup/timed-tests';

describe('Proctoring gateway (Socket.IO /proctoring)', () => {
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
      RATE_LIMIT_PROCTORING_HANDSHAKE_IP_LIMIT: '100000',
      RATE_LIMIT_INVITE_TOKEN_MISSES_LIMIT: '1000',
      PROCTORING_RECHECK_MS: '500',
    });
    w = await setupTwoTenants(t);
    testA = await insertTest(t.db, w.a.tenant.id, { title: 'Proctored A' });
    testB = await insertTest(t.db, w.b.tenant.id, { title: 'Proctored B' });
    const { listen } = await import('../setup/proctoring');
    url = await listen(t);
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
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
  const events = async (inviteId: string) =>
    (await t.db.query(`SELECT type, data, actor_user_id FROM attempt_events WHERE invitation_id = $1 ORDER BY id`, [
      inviteId,
    ])) as { type: string; data: Record<string, unknown>; actor_user_id: string | null }[];

  it('vertical slice: ready, watch, signal both ways with the server setting from, integrity events', async () => {
    const invite = await startedInvite(t, w.a.adminTokens, testA, email());
    const proctor = await peer({ token: w.a.proctorTokens.access_token });
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
      },
      candidates: [{ peer_id: cand.ready.peer_id }],
    });
    expect(await joined).toEqual({
      peer_id: proctor.ready.peer_id,
      proctor: { id: w.a.proctor.id, name: w.a.proctor.full_name },
    });

    const offer = nextEvent(proctor.socket, 'signal');
    expect(await ack(cand.socket, 'signal', { to: proctor.ready.peer_id, type: 'offer', sdp: 'v=0 offer' })).toEqual({
      ok: true,
    });
    expect(await offer).toEqual({ from: cand.ready.peer_id, type: 'offer', sdp: 'v=0 offer' });
    const answer = nextEvent(cand.socket, 'signal');
    expect(await ack(proctor.socket, 'signal', { to: cand.ready.peer_id, type: 'answer', sdp: 'v=0 answer' })).toEqual({
      ok: true,
    });
    expect(await answer).toEqual({ from: proctor.ready.peer_id, type: 'answer', sdp: 'v=0 answer' });
    const ice = nextEvent(proctor.socket, 'signal');
    await ack(cand.socket, 'signal', {
      to: proctor.ready.peer_id,
      type: 'ice-candidate',
      candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 },
    });
    expect((await ice).candidate).toEqual({
      candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host',
      sdpMid: '0',
      sdpMLineIndex: 0,
    });

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
    const rows = await events(invite.id);
    expect(rows.map((r) => r.type)).toEqual([
      'started',
      'candidate.connected',
      'proctor.watch',
      'integrity.tab_hidden',
    ]);
    expect(rows[2].actor_user_id).toBe(w.a.proctor.id);
    expect(rows[3].data).toEqual({ detail: 'switched away' });
  });

  it('refuses a handshake without credentials, with nothing joined', async () => {
    expect((await refusal(url, undefined)).message).toBe('NOT_AUTHENTICATED');
    expect((await refusal(url, { token: 'garbage' })).message).toBe('INVALID_TOKEN');
    await pause(10);
    void collect;
    void testB;
  });
});
