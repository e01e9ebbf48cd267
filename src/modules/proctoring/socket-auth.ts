import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { STAFF_ROLES } from '../../common/auth/roles';
import { AuthenticatedUser, RequestContext } from '../../common/context/request-context';
import { AppError } from '../../common/errors/app-error';
import { FORBIDDEN, INVALID_TOKEN, NOT_AUTHENTICATED, SERVICE_UNAVAILABLE } from '../../common/errors/common.errors';
import { isDependencyFailure } from '../../common/errors/dependency-error';
import { RateLimiterService } from '../../common/rate-limit/rate-limiter.service';
import { AppConfigService } from '../../config/app-config.service';
import { AccessTokenService } from '../auth/access-token.service';
import { LiveAttemptsService, LiveCandidate } from '../timed-tests/live-attempts.service';
import { ORIGIN_NOT_ALLOWED } from './proctoring-socket.errors';

export type StaffRole = 'admin' | 'proctor' | 'superadmin';

/**
 * What a socket is, kept in `socket.data` (so `fetchSockets()` on another instance sees it): small and plain, no
 * secrets. `watching` maps the attempts a staff socket watches to their invitations.
 */
export type PeerData =
  | {
      kind: 'staff';
      peerId: string;
      role: StaffRole;
      tenantId: string;
      userId: string;
      sessionId: string;
      name: string;
      watching: Record<string, string>;
    }
  | {
      kind: 'candidate';
      peerId: string;
      role: 'candidate';
      tenantId: string;
      inviteId: string;
      attemptId: string;
      deadline: string;
      name: string;
    };

export type StaffData = Extract<PeerData, { kind: 'staff' }>;
export type CandidateData = Extract<PeerData, { kind: 'candidate' }>;

export interface Admitted {
  data: PeerData;
  /** staff only: the principal the access token named (for the context of its units of work) */
  user: AuthenticatedUser | null;
  candidate: LiveCandidate | null;
}

const MAX_TOKEN = 4096;

export function newPeerId(): string {
  return `p_${randomBytes(18).toString('base64url')}`;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** A proxy of a TRUST_PROXY list: an exact address, or `loopback` (subnets are not matched here: not trusted). */
function listedProxy(address: string | null, list: string[]): boolean {
  if (!address) return false;
  return list.some((entry) => entry === address || (entry === 'loopback' && LOOPBACK.has(address)));
}

/**
 * The client's address for the handshake's per-IP budget, by TRUST_PROXY as Express reads it for REST: untrusted, the
 * socket's peer; a hop count n, the address n hops back through X-Forwarded-For; a list of proxies, the last
 * X-Forwarded-For hop when the peer is one of them (exact addresses and `loopback`; a subnet is not trusted here).
 */
export function clientIp(socket: Socket, trustProxy: boolean | number | string[]): string | null {
  const remote = socket.handshake.address || null;
  const forwarded = socket.handshake.headers['x-forwarded-for'];
  if (!trustProxy || typeof forwarded !== 'string' || forwarded.length === 0) return remote;
  if (Array.isArray(trustProxy) && !listedProxy(remote, trustProxy)) return remote;
  const hops = typeof trustProxy === 'number' ? trustProxy : 1;
  const chain = [
    remote,
    ...forwarded
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)
      .reverse(),
  ];
  return chain[Math.min(hops, chain.length - 1)] ?? remote;
}

export function socketContext(
  socket: Socket,
  user: AuthenticatedUser | null,
  trustProxy: boolean | number | string[],
): RequestContext {
  const agent = socket.handshake.headers['user-agent'];
  return {
    requestId: `ws:${socket.id}:${randomBytes(4).toString('hex')}`,
    ip: clientIp(socket, trustProxy),
    userAgent: typeof agent === 'string' ? agent.slice(0, 500) : null,
    user,
  };
}

/**
 * The handshake of the `/proctoring` namespace (docs/proctoring.md "Connecting"), run in a namespace middleware so a
 * refusal is a `connect_error` whose message is the code: Origin against CORS_ORIGINS, a per-IP budget, then staff
 * by their access token (AccessTokenService: the REST guard's own checks) or a candidate by its invitation token
 * (LiveAttemptsService: the token routes' own access path and limits). It only reads: nothing is written and no
 * room joined before it admits the socket.
 */
@Injectable()
export class SocketAuthService {
  private readonly logger = new Logger(SocketAuthService.name);

  constructor(
    private readonly config: AppConfigService,
    private readonly limiter: RateLimiterService,
    private readonly tokens: AccessTokenService,
    private readonly attempts: LiveAttemptsService,
  ) {}

  async admit(socket: Socket): Promise<Admitted> {
    if (!this.originAllowed(socket)) throw ORIGIN_NOT_ALLOWED();
    const ctx = socketContext(socket, null, this.config.values.trustProxy);
    await this.limiter.consume([
      { key: `proctoring-handshake:ip:${ctx.ip ?? 'unknown'}`, rule: this.config.rateLimits.proctoringHandshakeIp },
    ]);
    const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
    const peerId = newPeerId();
    if (auth.token !== undefined) {
      if (typeof auth.token !== 'string' || auth.token.length === 0 || auth.token.length > MAX_TOKEN) {
        throw INVALID_TOKEN();
      }
      const user = await this.tokens.authenticate(auth.token);
      if (!STAFF_ROLES.includes(user.role)) throw FORBIDDEN('Only staff may watch proctoring sessions');
      return {
        user,
        candidate: null,
        data: {
          kind: 'staff',
          peerId,
          role: user.role as StaffRole,
          tenantId: user.tenantId,
          userId: user.id,
          sessionId: user.sessionId,
          name: user.fullName,
          watching: {},
        },
      };
    }
    if (auth.invite_token !== undefined) {
      if (typeof auth.invite_token !== 'string' || auth.invite_token.length > MAX_TOKEN) throw INVALID_TOKEN();
      const candidate = await this.attempts.candidateAccess(ctx, auth.invite_token);
      return {
        user: null,
        candidate,
        data: {
          kind: 'candidate',
          peerId,
          role: 'candidate',
          tenantId: candidate.tenantId,
          inviteId: candidate.inviteId,
          attemptId: candidate.attemptId,
          deadline: candidate.deadline,
          name: candidate.applicantName,
        },
      };
    }
    throw NOT_AUTHENTICATED();
  }

  /**
   * A present Origin must be in CORS_ORIGINS when that is set, or be the app's own (the pages it serves: the Host the
   * socket came to, or PUBLIC_BASE_URL); no Origin (a non-browser client) passes. Browsers do not let pages forge it.
   */
  private originAllowed(socket: Socket): boolean {
    const origin = socket.handshake.headers.origin;
    const allowed = this.config.values.corsOrigins;
    if (origin === undefined || allowed.length === 0 || allowed.includes(origin)) return true;
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      return false;
    }
    if (parsed.origin === new URL(this.config.values.publicBaseUrl).origin) return true;
    return parsed.host === socket.handshake.headers.host;
  }

  /** What a refused handshake carries (docs/proctoring.md's codes; SESSION_REVOKED as the REST guard says it). */
  refusal(error: unknown): { code: string; detail: string } {
    if (error instanceof AppError) return { code: error.code, detail: error.detail };
    if (isDependencyFailure(error)) return SERVICE_UNAVAILABLE(5);
    this.logger.error({ err: error }, 'Proctoring handshake failed');
    return SERVICE_UNAVAILABLE(5);
  }
}
