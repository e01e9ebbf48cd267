import { isSuperadmin } from '../../common/auth/role-predicates';
import { Logger, OnModuleDestroy } from '@nestjs/common';
import {
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  WebSocketGateway,
  WebSocketServer,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { Clock } from '../../common/clock/clock';
import { AuthenticatedContext } from '../../common/context/request-context';
import { AppError } from '../../common/errors/app-error';
import { FORBIDDEN, INTERNAL_ERROR, RATE_LIMITED, SERVICE_UNAVAILABLE } from '../../common/errors/common.errors';
import { isDependencyFailure } from '../../common/errors/dependency-error';
import { AppConfigService } from '../../config/app-config.service';
import { AttemptEnded, AttemptLifecycleService } from '../timed-tests/attempt-lifecycle.service';
import { iceServersFor } from './ice-servers';
import { LocalPeer, ProctoringLiveService } from './proctoring-live.service';
import { ProctoringRecheck } from './proctoring-recheck';
import { rooms } from './proctoring.rooms';
import { TokenBucket } from './token-bucket';
import { Admitted, CandidateData, PeerData, SocketAuthService, StaffData } from './socket-auth';

export const PROCTORING_NAMESPACE = '/proctoring';
/** Between instances (Redis adapter): an attempt ended on one of them; each pushes to and closes its own sockets. */
const ENDED = 'proctoring:attempt-ended';

type Ack = (response: object) => void;

/** An ack's error body: the code and a human detail, nothing else (no stack, SQL or path). */
function ackError(error: unknown, logger: Logger): { code: string; detail: string } {
  if (error instanceof AppError) return { code: error.code, detail: error.detail };
  if (isDependencyFailure(error)) {
    const e = SERVICE_UNAVAILABLE(5);
    return { code: e.code, detail: e.detail };
  }
  logger.error({ err: error }, 'Proctoring event failed');
  const e = INTERNAL_ERROR();
  return { code: e.code, detail: e.detail };
}

/**
 * The `/proctoring` namespace (docs/proctoring.md): the handshake in a namespace middleware (SocketAuthService),
 * rooms joined on connect, every client event through one dispatcher (per-socket token bucket, role check, the
 * handler's ack), and the attempt lifecycle's pushes; ProctoringRecheck drops sockets that are no longer entitled.
 */
@WebSocketGateway({ namespace: PROCTORING_NAMESPACE })
export class ProctoringGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect, OnModuleDestroy {
  private readonly logger = new Logger(ProctoringGateway.name);
  @WebSocketServer() private server!: Namespace;
  private readonly admitted = new WeakMap<Socket, Admitted>();
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly auth: SocketAuthService,
    private readonly live: ProctoringLiveService,
    private readonly lifecycle: AttemptLifecycleService,
    private readonly recheck: ProctoringRecheck,
    private readonly config: AppConfigService,
    private readonly clock: Clock,
  ) {}

  afterInit(server: Namespace): void {
    this.server = server;
    this.live.bind(server);
    server.use((socket, next) => {
      this.auth.admit(socket).then(
        (admitted) => {
          this.admitted.set(socket, admitted);
          socket.data = admitted.data;
          next();
        },
        (error: unknown) => {
          const { code, detail } = this.auth.refusal(error);
          next(Object.assign(new Error(code), { data: { code, detail } }));
        },
      );
    });
    this.unsubscribe.push(
      this.lifecycle.onEnded((event) => {
        if (this.live.clustered) this.server.serverSideEmit(ENDED, event);
        this.endedHere(event);
      }),
    );
    if (this.live.clustered) server.on(ENDED, (event: AttemptEnded) => this.endedHere(event));
    this.recheck.start();
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.recheck.stop();
  }

  async handleConnection(socket: Socket): Promise<void> {
    const admitted = this.admitted.get(socket);
    if (!admitted) {
      socket.disconnect(true);
      return;
    }
    const limits = this.config.values.proctoring;
    const peer: LocalPeer = { socket, user: admitted.user, candidate: admitted.candidate };
    const bucket = new TokenBucket(limits.eventsPerSecond, limits.eventBurst);
    socket.use((packet, next) => {
      const verdict = bucket.take();
      if (verdict === 'ok') return next();
      if (verdict === 'abuse') {
        socket.disconnect(true);
        return;
      }
      const ack = packet[packet.length - 1];
      if (typeof ack === 'function') {
        const e = RATE_LIMITED(1, 'Too many events');
        (ack as Ack)({ ok: false, error: { code: e.code, detail: e.detail } });
      }
    });
    for (const [event, handler] of Object.entries(this.live.handlers)) {
      socket.on(event, (...args: unknown[]) => {
        const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as Ack) : null;
        void this.dispatch(peer, handler, args[0], ack);
      });
    }
    const data = socket.data as PeerData;
    this.live.local.set(data.peerId, peer);
    if (data.kind === 'staff') {
      await socket.join([
        rooms.peer(data.peerId),
        isSuperadmin(data) ? rooms.superadmins : rooms.tenantStaff(data.tenantId),
      ]);
      socket.emit('ready', { peer_id: data.peerId, role: data.role, ice_servers: this.iceServers(data.userId) });
      return;
    }
    await socket.join([
      rooms.peer(data.peerId),
      rooms.candidates(data.attemptId),
      rooms.tenantCandidates(data.tenantId),
    ]);
    socket.emit('ready', {
      peer_id: data.peerId,
      role: 'candidate',
      ice_servers: this.iceServers(data.attemptId),
      invite_id: data.inviteId,
      attempt_id: data.attemptId,
      deadline: data.deadline,
    });
    await this.candidateArrived(peer, data).catch((error: unknown) =>
      this.logger.warn({ err: error }, 'Could not announce a candidate'),
    );
  }

  /** TURN credentials per peer when TURN_SECRET is set (ice-servers.ts): a user's id, or a candidate's attempt id. */
  private iceServers(subject: string): unknown[] {
    return iceServersFor(this.config.values, subject, this.clock.now()).ice_servers;
  }

  private async candidateArrived(peer: LocalPeer, data: CandidateData): Promise<void> {
    const ctx = this.live.ctx(peer);
    await this.live.attempts.recordCandidateEvent(
      ctx,
      peer.candidate!,
      'candidate.connected',
      { peer_id: data.peerId },
      { anyStatus: true },
    );
    this.server
      .to(rooms.watchers(data.attemptId))
      .emit('candidate:connected', { invite_id: data.inviteId, peer_id: data.peerId });
    const session = await this.live.sessionOf(peer.candidate!, ctx);
    if (session) {
      this.server.to([rooms.tenantStaff(data.tenantId), rooms.superadmins]).emit('session:started', { session });
    }
  }

  async handleDisconnect(socket: Socket): Promise<void> {
    const data = socket.data as PeerData | undefined;
    if (!data?.peerId) return;
    const peer = this.live.local.get(data.peerId);
    this.live.local.delete(data.peerId);
    if (!peer) return;
    try {
      if (data.kind === 'candidate') {
        this.server
          .to(rooms.watchers(data.attemptId))
          .emit('candidate:disconnected', { invite_id: data.inviteId, peer_id: data.peerId });
        await this.live.attempts.recordCandidateEvent(
          this.live.ctx(peer),
          peer.candidate!,
          'candidate.disconnected',
          { peer_id: data.peerId },
          { anyStatus: true },
        );
        return;
      }
      const watching = Object.entries((data as StaffData).watching);
      for (const [attemptId, inviteId] of watching) {
        this.server.to(rooms.candidates(attemptId)).emit('proctor:left', { peer_id: data.peerId });
        await this.live.attempts.recordStaffEvent(
          this.live.ctx(peer) as AuthenticatedContext,
          inviteId,
          'proctor.unwatch',
          { peer_id: data.peerId, reason: 'disconnected' },
          { anyStatus: true },
        );
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'Could not record a proctoring disconnect');
    }
  }

  private async dispatch(
    peer: LocalPeer,
    handler: ProctoringLiveService['handlers'][string],
    payload: unknown,
    ack: Ack | null,
  ): Promise<void> {
    const kind = (peer.socket.data as PeerData).kind;
    try {
      if (handler.who !== 'both' && handler.who !== kind) {
        throw FORBIDDEN('Not allowed for this role');
      }
      const result = await handler.run(peer, payload);
      ack?.({ ok: true, ...result });
    } catch (error) {
      ack?.({ ok: false, error: ackError(error, this.logger) });
    }
  }

  /** After an attempt ended (on any instance): this instance's pushes, then its candidate sockets are closed. */
  private endedHere(event: AttemptEnded): void {
    const local = this.server.local;
    const watchers = rooms.watchers(event.attemptId);
    const candidates = rooms.candidates(event.attemptId);
    if (event.status === 'auto_submitted') {
      local
        .to([watchers, candidates])
        .emit('attempt:deadline', { invite_id: event.inviteId, deadline: event.deadline });
    } else if (event.status === 'terminated') {
      local.to([watchers, candidates]).emit('attempt:terminated', { invite_id: event.inviteId, reason: event.reason });
    }
    local
      .to([rooms.tenantStaff(event.tenantId), rooms.superadmins, watchers, candidates])
      .emit('session:ended', { invite_id: event.inviteId, status: event.status });
    for (const id of this.server.adapter.rooms.get(watchers) ?? []) {
      const socket = this.server.sockets.get(id);
      const peer = socket && this.live.local.get((socket.data as PeerData).peerId);
      if (peer) void this.live.leave(peer, event.attemptId, 'ended');
    }
    local.in(candidates).disconnectSockets(true);
  }
}
