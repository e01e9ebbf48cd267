import { Injectable } from '@nestjs/common';
import { Clock } from '../../../common/clock/clock';
import { RequestContext } from '../../../common/context/request-context';
import { RateLimiterService } from '../../../common/rate-limit/rate-limiter.service';
import { AppConfigService } from '../../../config/app-config.service';
import { DatabaseService } from '../../../database/database.service';
import { AuditService } from '../../audit/audit.service';
import { InvitationEntity } from '../entities/invitation.entity';
import { hashInvitationToken, isWellFormedInvitationToken } from './invitation-token';
import { INVITATION_EXPIRED, INVITATION_NOT_FOUND } from './invitations.errors';
import { InvitationsRepository } from './invitations.repository';

/**
 * The row lock a token route takes on its invitation: `update` (submit, schedule), `start` (`update`, and the test FOR
 * SHARE: a start reads its current version), `share` (autosave) or none (reads).
 */
export type TokenLock = 'update' | 'start' | 'share' | null;

const EXPIRED = Symbol('expired');
const MISS = Symbol('miss');
type Outcome<T> = { value: T } | null | typeof EXPIRED;

/** What the token lookup knows of an invitation's attempt (one per invitation), enough for the token routes. */
export interface AttemptSummary {
  id: string;
  status: 'in_progress' | 'submitted' | 'auto_submitted' | 'terminated';
  started_at: Date;
  deadline: Date;
  test_version_id: string;
}

/**
 * What the token lookup knows of the invitation's test: its current version, whether it is active, and — while the
 * invitation has no attempt — whether that version is frozen (has attempts; null otherwise). See
 * TestContentReader.forNewAttempt.
 */
export interface TokenTest {
  currentVersionId: string | null;
  isActive: boolean;
  versionFrozen: boolean | null;
}

/** A row of `invitation_by_token(hash, lock)`: the invitation's columns, then its attempt's and its test's, prefixed. */
type TokenRow = Omit<InvitationEntity, 'token_hash'> & {
  attempt_id: string | null;
  attempt_status: AttemptSummary['status'] | null;
  attempt_started_at: Date | null;
  attempt_deadline: Date | null;
  attempt_test_version_id: string | null;
  test_current_version_id: string | null;
  test_is_active: boolean;
  test_version_frozen: boolean | null;
};

const TEST_COLUMNS = new Set(['test_current_version_id', 'test_is_active', 'test_version_frozen']);

function invitationOf(row: TokenRow): InvitationEntity {
  const invitation: Record<string, unknown> = { ...row };
  for (const key of Object.keys(invitation)) {
    if (key.startsWith('attempt_') || TEST_COLUMNS.has(key)) delete invitation[key];
  }
  return invitation as unknown as InvitationEntity;
}

function testOf(row: TokenRow): TokenTest {
  return {
    currentVersionId: row.test_current_version_id,
    isActive: row.test_is_active,
    versionFrozen: row.test_version_frozen,
  };
}

function attemptOf(row: TokenRow): AttemptSummary | null {
  if (!row.attempt_id) return null;
  return {
    id: row.attempt_id,
    status: row.attempt_status!,
    started_at: row.attempt_started_at!,
    deadline: row.attempt_deadline!,
    test_version_id: row.attempt_test_version_id!,
  };
}

/** True when an open invitation's expiry has passed (in_progress and later states are ruled by the attempt). */
export function isOverdue(invitation: InvitationEntity, now: Date): boolean {
  return (
    (invitation.status === 'sent' || invitation.status === 'scheduled') &&
    invitation.expires_at.getTime() <= now.getTime()
  );
}

/**
 * The one way a public route reaches an invitation by its token (SPEC §5): rate limits per IP and per token, a
 * shape check (a malformed token is a 404 without a query), the hash looked up across tenants (the token is what
 * names the tenant) with the row locked as asked, then the work in the same unit of work narrowed to that tenant. Cancelled and
 * unknown tokens are 404; an expired one 410 — an open invitation past `expires_at` is marked expired on the way.
 * Unknown tokens count against a per-IP budget; once it is spent every token route refuses that IP (429) for the
 * rest of the window, so guessing tokens from one address stops early.
 */
@Injectable()
export class InvitationAccessService {
  constructor(
    private readonly db: DatabaseService,
    private readonly invitations: InvitationsRepository,
    private readonly limiter: RateLimiterService,
    private readonly config: AppConfigService,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  async withToken<T>(
    ctx: RequestContext,
    token: string,
    lock: TokenLock,
    work: (
      tx: RequestContext,
      invitation: InvitationEntity,
      attempt: AttemptSummary | null,
      test: TokenTest,
    ) => Promise<T>,
  ): Promise<T> {
    await this.checkMissBudget(ctx);
    if (!isWellFormedInvitationToken(token)) return this.miss(ctx);
    const hash = hashInvitationToken(token);
    const limits = this.config.rateLimits;
    await this.limiter.consume([
      { key: `invite-token:ip:${ctx.ip ?? 'unknown'}`, rule: limits.invitationTokenIp },
      { key: `invite-token:token:${hash.subarray(0, 16).toString('hex')}`, rule: limits.invitationTokenPerToken },
    ]);
    // One unit of work, opened by the lookup itself: `invitation_by_token` (migration 1764060000000) crosses tenants
    // for its call only (the token is what names the tenant), locks the row as the route needs, returns the attempt
    // with it (and what a new attempt needs of the test: migration 1764120000000), and the unit is scoped to the
    // invitation's tenant in the same round trip.
    const found = await this.db.unitScopedBy<TokenRow, RequestContext, Outcome<T>>(
      ctx,
      { fn: 'invitation_by_token', args: [hash, lock ?? 'none'] },
      async (tx, row) => {
        const invitation = invitationOf(row);
        if (invitation.status === 'cancelled') return null;
        if (invitation.status === 'expired') return EXPIRED;
        const now = this.clock.now();
        if (isOverdue(invitation, now)) {
          await this.markExpired(tx, invitation, now);
          return EXPIRED;
        }
        return { value: await work(tx, invitation, attemptOf(row), testOf(row)) };
      },
    );
    const outcome = found.found ? found.value : MISS;
    if (outcome === MISS) return this.miss(ctx);
    if (outcome === null) throw INVITATION_NOT_FOUND();
    if (outcome === EXPIRED) throw INVITATION_EXPIRED();
    return outcome.value;
  }

  /** Marks an open invitation past its expiry as expired (the token routes on the way, and the sweep). */
  async markExpired(tx: RequestContext, invitation: InvitationEntity, now: Date): Promise<void> {
    await this.invitations.update(tx, invitation.id, { status: 'expired', updated_at: now });
    await this.audit.record(tx, {
      action: 'invitation.expire',
      resourceType: 'invitation',
      resourceId: invitation.id,
      tenantId: invitation.tenant_id,
      userId: null,
      oldValues: { status: invitation.status },
      newValues: { status: 'expired', expires_at: invitation.expires_at },
    });
  }

  private missKey(ctx: RequestContext) {
    return { key: `invite-token-miss:ip:${ctx.ip ?? 'unknown'}`, rule: this.config.rateLimits.invitationTokenMisses };
  }

  /** 429 when this IP has already spent its budget of unknown tokens (a peek: the hit is given back). */
  private async checkMissBudget(ctx: RequestContext): Promise<void> {
    await this.limiter.refund(await this.limiter.consume([this.missKey(ctx)]));
  }

  private async miss(ctx: RequestContext): Promise<never> {
    await this.limiter.consume([this.missKey(ctx)]);
    throw INVITATION_NOT_FOUND();
  }
}
