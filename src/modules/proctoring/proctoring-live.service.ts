import { isSuperadmin } from '../../common/auth/role-predicates';
import { Injectable } from '@nestjs/common';
import type { Namespace, Socket } from 'socket.io';
import { Clock } from '../../common/clock/clock';
import { AuthenticatedContext, AuthenticatedUser, RequestContext } from '../../common/context/request-context';
import { FORBIDDEN } from '../../common/errors/common.errors';
import { AppConfigService } from '../../config/app-config.service';
import { LiveAttempt, LiveAttemptsService, LiveCandidate } from '../timed-tests/live-attempts.service';
import {
  parseFlag,
  parseIntegrity,
  parseInvite,
  parseList,
  parseMessage,
  parseSignal,
  SignalPayload,
  parseTerminate,
} from './proctoring.events';
import { PEER_NOT_FOUND } from './proctoring-socket.errors';
import { rooms } from './proctoring.rooms';
import { CandidateData, PeerData, socketContext, StaffData } from './socket-auth';

/** What the gateway keeps per local socket beside `socket.data`: the principal, the token buckets. */
export interface LocalPeer {
  socket: Socket;
  user: AuthenticatedUser | null;
  candidate: LiveCandidate | null;
}

export type LiveSession = LiveAttempt & { connected: boolean; watchers: number };

type Handler = (peer: LocalPeer, payload: unknown) => Promise<object>;

/** How long a positive remote lookup (another instance's peer) is trusted; delivery itself is always by room. */
/**
 * How long a remote room's membership ("this staff peer watches that attempt") is trusted for an ack, and a remote
 * candidate peer's attempt is remembered. A peer's attempt never changes while it lives, so its entry only bounds
 * how long a departed peer's id keeps resolving (a relay to it then reaches nobody); membership may change (unwatch),
 * but it only decides the ack: delivery goes to a room only the allowed target is in. A membership found remotely is
 * trusted for 60 s (an absence is never cached): each check is a cluster-wide `fetchSockets()` through Redis, and at
 * 5 s, 500 signalling candidates sent 100 of them a second (bench j: about 7 % more server CPU per relayed signal).
 */
const REMOTE_CACHE_MS = 60_000;
/** How long a cluster-wide `fetchSockets()` waits for the other instances (Redis away: the caller then fails). */
const FETCH_TIMEOUT_MS = 3000;
const REMOTE_PEER_CACHE_MS = 10 * 60_000;
const REMOTE_CACHE_MAX = 10_000;

/** What a relayed `signal` carries: the sender as the server knows it, never the client's `from`. */
function signalOut(from: string, msg: SignalPayload): Record<string, unknown> {
  const out: Record<string, unknown> = { from, type: msg.type };
  if (msg.sdp !== undefined) out.sdp = msg.sdp;
  if (msg.candidate !== undefined) out.candidate = msg.candidate;
  return out;
}

/**
 * The socket side of live proctoring (docs/proctoring.md "Client → server events"): each handler checks who may send
 * it, reaches the database only through LiveAttemptsService with the socket's RequestContext (a unit of work per
 * call, never held across socket I/O), and emits through the namespace, whose adapter carries rooms and relays
 * across instances. `signal` does no database work: who may signal whom follows from socket data and rooms.
 */
@Injectable()
export class ProctoringLiveService {
  private server!: Namespace;
  /** Local sockets by peer id (the hot path of `signal` when both ends are on this instance). */
  readonly local = new Map<string, LocalPeer>();
  private readonly remote = new Map<string, { value: string | true; at: number }>();
  readonly handlers: Record<string, { who: 'staff' | 'candidate' | 'both'; run: Handler }> = {
    'sessions:list': { who: 'staff', run: (p, x) => this.list(p, x) },
    'session:watch': { who: 'staff', run: (p, x) => this.watch(p, x) },
    'session:unwatch': { who: 'staff', run: (p, x) => this.unwatch(p, x) },
    signal: { who: 'both', run: (p, x) => this.signal(p, x) },
    'integrity:event': { who: 'candidate', run: (p, x) => this.integrity(p, x) },
    'proctor:message': { who: 'staff', run: (p, x) => this.message(p, x) },
    'proctor:flag': { who: 'staff', run: (p, x) => this.flag(p, x) },
    'proctor:terminate': { who: 'staff', run: (p, x) => this.terminate(p, x) },
  };

  constructor(
    readonly attempts: LiveAttemptsService,
    private readonly config: AppConfigService,
    private readonly clock: Clock,
  ) {}

  bind(server: Namespace): void {
    this.server = server;
  }

  get clustered(): boolean {
    return this.config.values.redisUrl !== null;
  }

  ctx(peer: LocalPeer): RequestContext {
    return socketContext(peer.socket, peer.user, this.config.values.trustProxy);
  }

  private staffCtx(peer: LocalPeer): AuthenticatedContext {
    if (!peer.user) throw FORBIDDEN('Only staff may do this');
    return this.ctx(peer) as AuthenticatedContext;
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  /**
   * Tells a candidate socket that has just connected (a first connect, a reload, a second tab) of the staff peers
   * already watching its attempt, on any instance — as `session:watch` tells the candidates present — so it makes
   * its offer to each of them.
   */
  async announceWatchers(socket: { emit(event: string, payload: object): unknown }, attemptId: string): Promise<void> {
    for (const watcher of await this.dataIn(rooms.watchers(attemptId))) {
      if (watcher.kind !== 'staff') continue;
      socket.emit('proctor:joined', { peer_id: watcher.peerId, proctor: { id: watcher.userId, name: watcher.name } });
    }
  }

  /** Sockets (every instance) in a room, as their data; other instances get FETCH_TIMEOUT_MS to answer. */
  private async dataIn(room: string | string[]): Promise<PeerData[]> {
    const sockets = await this.server.in(room).timeout(FETCH_TIMEOUT_MS).fetchSockets();
    return sockets.map((s) => s.data as PeerData);
  }

  /**
   * Adds what only the sockets know: a candidate connected somewhere, and how many staff peers watch. One session
   * (a watch, a candidate's arrival) asks its attempt's two rooms only; a list asks the tenant's sockets once.
   */
  private async withSockets(tenantId: string | null, sessions: LiveAttempt[]): Promise<LiveSession[]> {
    if (sessions.length === 0) return [];
    if (sessions.length === 1) {
      const [session] = sessions;
      const [candidates, watching] = await Promise.all([
        this.dataIn(rooms.candidates(session.attempt_id)),
        this.dataIn(rooms.watchers(session.attempt_id)),
      ]);
      return [
        {
          ...session,
          connected: candidates.some((d) => d.kind === 'candidate'),
          watchers: watching.filter((d) => d.kind === 'staff').length,
        },
      ];
    }
    const everyone = tenantId === null ? await this.dataIn([]) : null;
    const candidates = everyone ?? (await this.dataIn(rooms.tenantCandidates(tenantId!)));
    const staff = everyone ?? (await this.dataIn([rooms.tenantStaff(tenantId!), rooms.superadmins]));
    const connected = new Set(
      candidates.filter((d) => d.kind === 'candidate').map((d) => (d as CandidateData).attemptId),
    );
    const watchers = new Map<string, number>();
    for (const d of staff) {
      if (d.kind !== 'staff') continue;
      for (const attemptId of Object.keys(d.watching)) watchers.set(attemptId, (watchers.get(attemptId) ?? 0) + 1);
    }
    return sessions.map((s) => ({
      ...s,
      connected: connected.has(s.attempt_id),
      watchers: watchers.get(s.attempt_id) ?? 0,
    }));
  }

  async sessionOf(candidate: LiveCandidate, ctx: RequestContext): Promise<LiveSession | null> {
    const attempt = await this.attempts.candidateAttempt(ctx, candidate);
    if (!attempt) return null;
    const [session] = await this.withSockets(candidate.tenantId, [attempt]);
    return session;
  }

  private async list(peer: LocalPeer, payload: unknown): Promise<object> {
    const { tenant_id } = parseList(payload);
    const data = peer.socket.data as StaffData;
    const ctx = this.staffCtx(peer);
    // only a superadmin names a tenant; anyone else sees its own (row-level security would anyway)
    const tenantId = isSuperadmin(data) ? tenant_id : data.tenantId;
    const sessions = await this.attempts.liveAttempts(ctx, tenantId);
    return { sessions: await this.withSockets(tenantId ?? null, sessions) };
  }

  private async watch(peer: LocalPeer, payload: unknown): Promise<object> {
    const { invite_id } = parseInvite(payload);
    const ctx = this.staffCtx(peer);
    const data = peer.socket.data as StaffData;
    const attempt = await this.attempts.liveAttempt(ctx, invite_id);
    const id = attempt.attempt_id;
    if (!data.watching[id]) {
      await this.attempts.recordStaffEvent(ctx, invite_id, 'proctor.watch', { peer_id: data.peerId });
      data.watching = { ...data.watching, [id]: invite_id };
      await peer.socket.join([rooms.watchers(id), rooms.watcher(id, data.peerId)]);
      this.server
        .to(rooms.candidates(id))
        .emit('proctor:joined', { peer_id: data.peerId, proctor: { id: data.userId, name: data.name } });
    }
    const [session] = await this.withSockets(attempt.tenant_id, [attempt]);
    const candidates = (await this.dataIn(rooms.candidates(id))).map((d) => ({ peer_id: d.peerId }));
    return { session: { ...session, connected: candidates.length > 0 }, candidates };
  }

  private async unwatch(peer: LocalPeer, payload: unknown): Promise<object> {
    const { invite_id } = parseInvite(payload);
    const ctx = this.staffCtx(peer);
    const data = peer.socket.data as StaffData;
    const attemptId = Object.keys(data.watching).find((id) => data.watching[id] === invite_id);
    // not watching it: nothing to undo (and no hint whether a foreign invitation exists)
    if (!attemptId) return {};
    await this.leave(peer, attemptId, 'unwatch');
    await this.attempts.recordStaffEvent(
      ctx,
      invite_id,
      'proctor.unwatch',
      { peer_id: data.peerId },
      { anyStatus: true },
    );
    return {};
  }

  /** Stops watching: rooms left, the candidate peers told. */
  async leave(peer: LocalPeer, attemptId: string, _why: string): Promise<void> {
    const data = peer.socket.data as StaffData;
    const { [attemptId]: _gone, ...rest } = data.watching;
    data.watching = rest;
    await Promise.all([
      peer.socket.leave(rooms.watchers(attemptId)),
      peer.socket.leave(rooms.watcher(attemptId, data.peerId)),
    ]);
    this.server.to(rooms.candidates(attemptId)).emit('proctor:left', { peer_id: data.peerId });
  }

  /**
   * Relays WebRTC signalling between a candidate of an attempt and a staff peer watching it, and nobody else.
   * Delivery goes to a room only the allowed target is in (`attempt:{id}:watcher:{peer}` for a candidate's message,
   * the candidate's `peer:{id}` once its attempt is among the sender's watched ones), so it holds across instances;
   * the ack's PEER_NOT_FOUND uses local rooms, else a cached `fetchSockets()`.
   */
  private async signal(peer: LocalPeer, payload: unknown): Promise<object> {
    const msg = parseSignal(payload);
    const data = peer.socket.data as PeerData;
    if (data.kind === 'candidate') {
      // Only a staff peer watching this attempt is in this room: relay at once (no round trip through the adapter
      // first), then answer the ack from the room's membership.
      const room = rooms.watcher(data.attemptId, msg.to);
      this.server.to(room).emit('signal', signalOut(data.peerId, msg));
      if (!(await this.roomHasSockets(room))) throw PEER_NOT_FOUND();
      return {};
    }
    // Staff: only to a candidate of an attempt this peer watches (the candidate's attempt is known for its life).
    const attemptId = await this.candidateAttempt(msg.to);
    if (!attemptId || !data.watching[attemptId]) throw PEER_NOT_FOUND();
    this.server.to(rooms.peer(msg.to)).emit('signal', signalOut(data.peerId, msg));
    return {};
  }

  private async roomHasSockets(room: string): Promise<boolean> {
    if ((this.server.adapter.rooms.get(room)?.size ?? 0) > 0) return true;
    if (!this.clustered) return false;
    const cached = this.remote.get(room);
    if (cached && performance.now() - cached.at < REMOTE_CACHE_MS) return true;
    const found = (await this.server.in(room).timeout(FETCH_TIMEOUT_MS).fetchSockets()).length > 0;
    if (found) this.remember(room, true);
    return found;
  }

  /** The attempt of a candidate peer (immutable for the peer's life), or null when it is no candidate. */
  private async candidateAttempt(peerId: string): Promise<string | null> {
    const here = this.local.get(peerId);
    if (here) return here.candidate?.attemptId ?? null;
    if (!this.clustered) return null;
    const cached = this.remote.get(peerId);
    if (cached && performance.now() - cached.at < REMOTE_PEER_CACHE_MS) return cached.value as string;
    const [remote] = await this.dataIn(rooms.peer(peerId));
    if (!remote || remote.kind !== 'candidate') return null;
    this.remember(peerId, remote.attemptId);
    return remote.attemptId;
  }

  private remember(key: string, value: string | true): void {
    if (this.remote.size >= REMOTE_CACHE_MAX) this.remote.clear();
    this.remote.set(key, { value, at: performance.now() });
  }

  private async integrity(peer: LocalPeer, payload: unknown): Promise<object> {
    const { type, detail } = parseIntegrity(payload);
    const candidate = peer.candidate!;
    const event = await this.attempts.recordCandidateEvent(this.ctx(peer), candidate, `integrity.${type}`, {
      detail: detail ?? null,
    });
    this.server.to(rooms.watchers(candidate.attemptId)).emit('integrity:event', {
      invite_id: candidate.inviteId,
      event_id: event.eventId,
      type,
      detail: detail ?? null,
      at: this.now(),
    });
    return { event_id: event.eventId };
  }

  private async message(peer: LocalPeer, payload: unknown): Promise<object> {
    const { invite_id, text } = parseMessage(payload);
    const data = peer.socket.data as StaffData;
    const event = await this.attempts.recordStaffEvent(this.staffCtx(peer), invite_id, 'proctor.message', { text });
    this.server.to([rooms.candidates(event.attemptId), rooms.watchers(event.attemptId)]).emit('proctor:message', {
      invite_id,
      event_id: event.eventId,
      text,
      from: { id: data.userId, name: data.name },
      at: this.now(),
    });
    return { event_id: event.eventId };
  }

  private async flag(peer: LocalPeer, payload: unknown): Promise<object> {
    const { invite_id, reason, severity } = parseFlag(payload);
    const data = peer.socket.data as StaffData;
    const event = await this.attempts.recordStaffEvent(
      this.staffCtx(peer),
      invite_id,
      'proctor.flag',
      { reason, severity: severity ?? 'medium' },
      { auditAction: 'proctoring.flag' },
    );
    this.server.to(rooms.watchers(event.attemptId)).emit('proctor:flag', {
      invite_id,
      event_id: event.eventId,
      reason,
      severity: severity ?? 'medium',
      from: { id: data.userId, name: data.name },
      at: this.now(),
    });
    return { event_id: event.eventId };
  }

  /** Ends the attempt; the pushes and the candidates' disconnect follow from the attempt-ended notice. */
  private async terminate(peer: LocalPeer, payload: unknown): Promise<object> {
    const { invite_id, reason } = parseTerminate(payload);
    const result = await this.attempts.terminate(this.staffCtx(peer), invite_id, reason);
    return { result };
  }
}
