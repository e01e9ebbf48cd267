import { Injectable, Logger } from '@nestjs/common';
import { STAFF_ROLES } from '../../common/auth/roles';
import { systemContext } from '../../common/context/request-context';
import { AppConfigService } from '../../config/app-config.service';
import { SessionsService } from '../sessions/sessions.service';
import { LocalPeer, ProctoringLiveService } from './proctoring-live.service';
import { StaffData } from './socket-auth';

/** After a revocation on this instance: time for its unit of work to commit before the re-check reads. */
const REVOKED_RECHECK_DELAY_MS = 200;

/**
 * Keeps this instance's sockets entitled (docs/proctoring.md "Limits"): every PROCTORING_RECHECK_MS, and shortly
 * after a revocation made here, one query for all staff sockets (session live, user and tenant active, same role and
 * tenant) and one for all candidate sockets (attempt still in progress). Its timers are unref'd and stopped with
 * the module, so they never hold the process (or jest) open.
 */
@Injectable()
export class ProctoringRecheck {
  private readonly logger = new Logger(ProctoringRecheck.name);
  private timer: NodeJS.Timeout | null = null;
  private soon: NodeJS.Timeout | null = null;
  private rechecking = false;
  private offRevoked: (() => void) | null = null;

  constructor(
    private readonly live: ProctoringLiveService,
    private readonly sessions: SessionsService,
    private readonly config: AppConfigService,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.recheck(), this.config.values.proctoring.recheckMs);
    this.timer.unref();
    this.offRevoked = this.sessions.onRevoked(() => this.recheckSoon());
  }

  stop(): void {
    this.offRevoked?.();
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearTimeout(this.soon);
    this.timer = this.soon = this.offRevoked = null;
  }

  private recheckSoon(): void {
    if (this.soon || !this.timer) return;
    this.soon = setTimeout(() => {
      this.soon = null;
      void this.recheck();
    }, REVOKED_RECHECK_DELAY_MS);
    this.soon.unref();
  }

  /**
   * Drops staff sockets whose session was revoked, or whose user or tenant was deactivated, and candidate sockets whose
   * attempt ended without this instance hearing of it (e.g. it ended while the socket was connecting): one query each.
   */
  private async recheck(): Promise<void> {
    if (this.rechecking) return;
    const peers = [...this.live.local.values()];
    if (peers.length === 0) return;
    this.rechecking = true;
    try {
      await this.recheckStaff(peers.filter((p) => p.user !== null));
      await this.recheckCandidates(peers.filter((p) => p.candidate !== null));
    } catch (error) {
      this.logger.warn({ err: error }, 'Proctoring re-check failed; will retry');
    } finally {
      this.rechecking = false;
    }
  }

  private async recheckStaff(staff: LocalPeer[]): Promise<void> {
    if (staff.length === 0) return;
    const ids = [...new Set(staff.map((p) => (p.socket.data as StaffData).sessionId))];
    const live = await this.sessions.liveSessions(systemContext('proctoring:recheck'), ids);
    for (const peer of staff) {
      const data = peer.socket.data as StaffData;
      const now = live.get(data.sessionId);
      const same = now && now.userId === data.userId && now.tenantId === data.tenantId && now.role === data.role;
      if (!same || !STAFF_ROLES.includes(now.role)) peer.socket.disconnect(true);
    }
  }

  private async recheckCandidates(candidates: LocalPeer[]): Promise<void> {
    if (candidates.length === 0) return;
    const ids = [...new Set(candidates.map((p) => p.candidate!.attemptId))];
    const ended = await this.live.attempts.endedAttempts(systemContext('proctoring:recheck'), ids);
    for (const peer of candidates) {
      const status = ended.get(peer.candidate!.attemptId);
      if (status === undefined) continue;
      peer.socket.emit('session:ended', { invite_id: peer.candidate!.inviteId, status });
      peer.socket.disconnect(true);
    }
  }
}
