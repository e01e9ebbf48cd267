import { randomBytes, randomInt } from 'node:crypto';
import Redis from 'ioredis';
import type { Socket } from 'socket.io-client';
import { bearer, createTenantWithStaff } from '../setup/factories';
import { setupTwoTenants, TwoTenants } from '../setup/fixtures';
import { ack, closed, connectPeer, listen, nextEvent, refusal, startedInvite } from '../setup/proctoring';
import { createTestApp, TestApp } from '../setup/test-app';
import { insertTest, InsertedTest, NO_WORKERS } from '../setup/timed-tests';

// Two instances on one database sharing Redis (the Socket.IO Redis adapter, docs/proctoring.md "Several instances").
// Without TEST_REDIS_URL (or REDIS_URL) this spec is skipped.
const redisUrl = process.env.TEST_REDIS_URL || process.env.REDIS_URL;

(redisUrl ? describe : describe.skip)('Proctoring across two instances sharing Redis (requires TEST_REDIS_URL)', () => {
  const key = `trajectorie-test:proctoring:${randomBytes(6).toString('hex')}`;
  const env = {
    ...NO_WORKERS,
    REDIS_URL: redisUrl ?? '',
    PROCTORING_REDIS_KEY: key,
    TRUST_PROXY: 'true',
    RATE_LIMIT_PROCTORING_HANDSHAKE_IP_LIMIT: '4',
    RATE_LIMIT_INVITE_TOKEN_MISSES_LIMIT: '1000',
  };
  let a: TestApp;
  let b: TestApp;
  let urlA: string;
  let urlB: string;
  let w: TwoTenants;
  let test: InsertedTest;
  let redis: Redis;
  const ips: string[] = [];
  const sockets: Socket[] = [];
  let seq = 0;

  beforeAll(async () => {
    a = await createTestApp(env);
    b = await createTestApp(env, { databaseUrl: a.databaseUrl });
    redis = new Redis(redisUrl!);
    w = await setupTwoTenants(a);
    test = await insertTest(a.db, w.a.tenant.id, { title: 'Clustered' });
    urlA = await listen(a);
    urlB = await listen(b);
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    for (const ip of ips) {
      const keys = await redis.keys(`trajectorie:rl:*${ip}`);
      if (keys.length) await redis.del(...keys);
    }
    await redis.quit();
    await b?.close();
    await a?.close();
  });

  /** Each peer from an address of its own (the handshake budget is per IP and shared through Redis). */
  function newIp(): string {
    const ip = `10.${randomInt(256)}.${randomInt(256)}.${randomInt(1, 255)}`;
    ips.push(ip);
    return ip;
  }
  async function peer(url: string, auth: Record<string, unknown>) {
    const p = await connectPeer(url, auth, { 'x-forwarded-for': newIp() });
    sockets.push(p.socket);
    return p;
  }

  it('candidate on A, proctor on B: list, watch, signal both ways, integrity, message, terminate', async () => {
    const invite = await startedInvite(a, w.a.adminTokens, test, `cluster-${++seq}@example.test`);
    const proctor = await peer(urlB, { token: w.a.proctorTokens.access_token });
    const started = nextEvent(proctor.socket, 'session:started');
    const cand = await peer(urlA, { invite_token: invite.token });
    expect((await started).session).toMatchObject({ invite_id: invite.id, connected: true });

    const list = await ack(proctor.socket, 'sessions:list', {});
    expect(list.sessions).toEqual([expect.objectContaining({ invite_id: invite.id, connected: true, watchers: 0 })]);
    const joined = nextEvent(cand.socket, 'proctor:joined');
    const watched = await ack(proctor.socket, 'session:watch', { invite_id: invite.id });
    expect(watched).toMatchObject({
      ok: true,
      session: { invite_id: invite.id, connected: true, watchers: 1 },
      candidates: [{ peer_id: cand.ready.peer_id }],
    });
    expect((await joined).peer_id).toBe(proctor.ready.peer_id);

    const offer = nextEvent(proctor.socket, 'signal');
    expect(await ack(cand.socket, 'signal', { to: proctor.ready.peer_id, type: 'offer', sdp: 'o' })).toEqual({
      ok: true,
    });
    expect(await offer).toEqual({ from: cand.ready.peer_id, type: 'offer', sdp: 'o' });
    const answer = nextEvent(cand.socket, 'signal');
    expect(await ack(proctor.socket, 'signal', { to: cand.ready.peer_id, type: 'answer', sdp: 'a' })).toEqual({
      ok: true,
    });
    expect(await answer).toEqual({ from: proctor.ready.peer_id, type: 'answer', sdp: 'a' });

    const integrity = nextEvent(proctor.socket, 'integrity:event');
    const logged = await ack(cand.socket, 'integrity:event', { type: 'focus_lost' });
    expect(await integrity).toMatchObject({ invite_id: invite.id, event_id: logged.event_id, type: 'focus_lost' });
    const message = nextEvent(cand.socket, 'proctor:message');
    await ack(proctor.socket, 'proctor:message', { invite_id: invite.id, text: 'hello from B' });
    expect((await message).text).toBe('hello from B');

    const terminated = nextEvent(cand.socket, 'attempt:terminated');
    const ended = nextEvent(proctor.socket, 'session:ended');
    const gone = closed(cand.socket);
    const res = await ack(proctor.socket, 'proctor:terminate', { invite_id: invite.id, reason: 'cluster' });
    expect(res.ok).toBe(true);
    expect(await terminated).toEqual({ invite_id: invite.id, reason: 'cluster' });
    expect(await ended).toEqual({ invite_id: invite.id, status: 'terminated' });
    await gone;
    const [row] = await a.db.query(`SELECT status FROM test_attempts WHERE id = $1`, [invite.attemptId]);
    expect(row.status).toBe('terminated');
    const types = (
      await a.db.query(`SELECT type FROM attempt_events WHERE invitation_id = $1 ORDER BY id`, [invite.id])
    ).map((r: { type: string }) => r.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'candidate.connected',
        'proctor.watch',
        'integrity.focus_lost',
        'proctor.message',
        'terminated',
      ]),
    );
  });

  it('a REST submit on B ends the session of a candidate connected to A', async () => {
    const invite = await startedInvite(a, w.a.adminTokens, test, `cluster-${++seq}@example.test`);
    const cand = await peer(urlA, { invite_token: invite.token });
    const admin = await peer(urlB, { token: w.a.adminTokens.access_token });
    const toCand = nextEvent(cand.socket, 'session:ended');
    const toAdmin = nextEvent(admin.socket, 'session:ended');
    const gone = closed(cand.socket);
    await b.http().post(`/api/submit-test/${invite.token}`).send({ answers: [] }).expect(200);
    expect(await toCand).toEqual({ invite_id: invite.id, status: 'submitted' });
    expect(await toAdmin).toEqual({ invite_id: invite.id, status: 'submitted' });
    await gone;
  });

  it('a logout drops the staff socket: at once on the same instance, within 5 s on another', async () => {
    const here = await createTenantWithStaff(a);
    const onA = await peer(urlA, { token: here.proctorTokens.access_token });
    const onB = await peer(urlB, { token: here.adminTokens.access_token });
    let t0 = Date.now();
    const goneA = closed(onA.socket, 5000);
    await a.http().post('/auth/logout').set(bearer(here.proctorTokens)).send({}).expect(200);
    await goneA;
    // the periodic re-check runs every 2 s here: this is the revocation hint
    expect(Date.now() - t0).toBeLessThan(1500);
    t0 = Date.now();
    const goneB = closed(onB.socket, 5000);
    await a.http().post('/auth/logout').set(bearer(here.adminTokens)).send({}).expect(200);
    await goneB;
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('the per-IP handshake budget is shared by the instances', async () => {
    const ip = newIp();
    const auth = { token: w.a.proctorTokens.access_token };
    for (let i = 0; i < 4; i += 1) {
      expect((await refusal(i % 2 ? urlA : urlB, auth, { 'x-forwarded-for': ip })).message).toBe('CONNECTED');
    }
    expect((await refusal(urlA, auth, { 'x-forwarded-for': ip })).message).toBe('RATE_LIMITED');
    expect((await refusal(urlB, auth, { 'x-forwarded-for': ip })).message).toBe('RATE_LIMITED');
  });
});
