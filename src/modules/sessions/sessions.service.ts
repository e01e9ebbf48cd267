import { Injectable } from '@nestjs/common';
import { IsNull, Not } from 'typeorm';
import { RequestContext, UserProfileRow } from '../../common/context/request-context';
import { Role } from '../../common/auth/roles';
import { AppConfigService } from '../../config/app-config.service';
import { DatabaseService } from '../../database/database.service';
import { RefreshTokenEntity } from './entities/refresh-token.entity';
import { SessionEntity } from './entities/session.entity';
import { SessionsRepository } from './sessions.repository';
import { hashToken, newRefreshToken, openToken, sealToken } from './token-crypto';

export type RevokeReason =
  | 'logout'
  | 'revoked_by_user'
  | 'refresh_token_reuse'
  | 'password_changed'
  | 'user_deactivated'
  | 'role_changed'
  | 'tenant_changed'
  | 'tenant_deactivated'
  | 'too_many_password_attempts';

/** login_record's "no such user in that tenant" (SQLSTATE no_data_found). */
const NO_DATA_FOUND = 'P0002';

/** A session as other features see it: a plain object type, never the entity (docs/module-boundaries.md). */
export type SessionRecord = Readonly<
  Pick<
    SessionEntity,
    | 'id'
    | 'user_id'
    | 'tenant_id'
    | 'ip_address'
    | 'user_agent'
    | 'created_at'
    | 'last_used_at'
    | 'expires_at'
    | 'revoked_at'
    | 'revoke_reason'
  >
>;

export interface IssuedSession {
  session: SessionRecord;
  refreshToken: string;
}

export type RotationResult =
  | { outcome: 'rotated'; session: SessionRecord; refreshToken: string }
  | { outcome: 'invalid' }
  | { outcome: 'reused'; session: SessionRecord };

@Injectable()
export class SessionsService {
  private readonly revokedListeners = new Set<() => void>();

  constructor(
    private readonly db: DatabaseService,
    private readonly sessionsTable: SessionsRepository,
    private readonly config: AppConfigService,
  ) {}

  /**
   * The writes of a successful login in one statement on the pool (`login_record`, see its migration): the session,
   * its first refresh token, the `auth.login` audit row and the user's `last_login` (with `rehashed`, the password's
   * upgraded hash, when there is one), all as `user`'s tenant and committed together. Login is two round trips
   * (the e-mail lookup, then this) instead of a unit of work of six: bench (c). Null when the user is no longer in
   * that tenant (nothing was written).
   */
  async openForLogin(
    ctx: RequestContext,
    user: { id: string; tenant_id: string },
    rehashed: string | null,
  ): Promise<(IssuedSession & { lastLogin: Date; updatedAt: Date }) | null> {
    const now = new Date();
    const refreshToken = newRefreshToken();
    type Row = SessionRecord & { last_login: Date; updated_at: Date };
    let rows: Row[];
    try {
      rows = await this.db.callScopedFunction<Row>(
        'login-record',
        'SELECT * FROM login_record($1, $2, $3, $4, $5, $6, $7, $8, $9)',
        [
          user.id,
          user.tenant_id,
          ctx.ip ?? null,
          ctx.userAgent ?? null,
          now,
          new Date(now.getTime() + this.config.auth.refreshTokenDays * 86_400_000),
          hashToken(refreshToken),
          rehashed,
          ctx.requestId || null,
        ],
      );
    } catch (error) {
      if ((error as { code?: string }).code === NO_DATA_FOUND) return null;
      throw error;
    }
    const { last_login, updated_at, ...session } = rows[0];
    return { session, refreshToken, lastLogin: last_login, updatedAt: updated_at };
  }

  /**
   * Rotates a refresh token. Rows are locked, so two concurrent refreshes serialise: the first rotates, the
   * second sees a token rotated moments ago and — inside the grace window — gets the same successor. A rotated
   * token presented after the window (or one whose successor has itself rotated) is reuse: the session dies.
   */
  async rotate(ctx: RequestContext, presented: string): Promise<RotationResult> {
    const secret = this.config.auth.secretKey;
    const graceMs = this.config.auth.refreshReuseGraceSeconds * 1000;
    // The presented token is the only key: it names its session, hence the tenant, once found.
    return this.db.crossTenant(ctx, 'auth.refresh', async (tx) => {
      const token = await this.db
        .repo(tx, RefreshTokenEntity)
        .createQueryBuilder('rt')
        .setLock('pessimistic_write')
        .where('rt.token_hash = :hash', { hash: hashToken(presented) })
        .getOne();
      if (!token) return { outcome: 'invalid' };
      const sessions = this.db.repo(tx, SessionEntity);
      const session = await this.sessionsTable.lockById(tx, token.session_id);
      const now = new Date();
      if (session.revoked_at || session.expires_at <= now) return { outcome: 'invalid' };
      // A deactivated user or tenant must not mint new tokens: deactivation set directly (or by a path that
      // forgot to revoke the sessions) would otherwise leave a live session.
      if (!(await this.ownerActive(tx, session.user_id))) return { outcome: 'invalid' };

      if (!token.rotated_at) {
        const refreshToken = newRefreshToken();
        const successor = await this.db
          .repo(tx, RefreshTokenEntity)
          .save({ session_id: session.id, token_hash: hashToken(refreshToken) });
        await this.db.repo(tx, RefreshTokenEntity).update(token.id, {
          rotated_at: now,
          successor_id: successor.id,
          successor_cipher: sealToken(refreshToken, secret),
        });
        // Sealed successors are only useful inside the grace window; drop the older ones.
        await this.db
          .manager(tx)
          .createQueryBuilder()
          .update(RefreshTokenEntity)
          .set({ successor_cipher: null })
          .where('session_id = :sid AND id <> :id AND successor_cipher IS NOT NULL', { sid: session.id, id: token.id })
          .execute();
        session.last_used_at = now;
        await sessions.update(session.id, { last_used_at: now });
        return { outcome: 'rotated', session, refreshToken };
      }

      const withinGrace = now.getTime() - token.rotated_at.getTime() <= graceMs;
      if (withinGrace && token.successor_id && token.successor_cipher) {
        const successor = await this.db.repo(tx, RefreshTokenEntity).findOneBy({ id: token.successor_id });
        const raw = successor && !successor.rotated_at ? openToken(token.successor_cipher, secret) : null;
        if (raw) return { outcome: 'rotated', session, refreshToken: raw };
      }
      await sessions.update(session.id, { revoked_at: now, revoke_reason: 'refresh_token_reuse' });
      return { outcome: 'reused', session };
    });
  }

  /**
   * One query on the hot path of every authenticated request: session live, user and tenant active, and the
   * profile /auth/me returns. It runs in the guard, before any unit of work: it is the one query sent on the pool
   * outside a unit of work, through the SQL function `session_principal`, which crosses tenants (reason
   * `auth.principal`) for the duration of the call and filters by the token's own session and user. It joins the users and tenants tables here,
   * in the module that owns the session, on purpose (docs/module-boundaries.md): asking UserAccountsService and a
   * tenant service in turn would cost three round trips per request instead of one.
   */
  async principal(sessionId: string, userId: string): Promise<UserProfileRow | null> {
    // The hottest query of the API (every authenticated request): one prepared statement on the pool (bench b).
    // session_principal (migration 1763950000000-RowLevelSecurity) crosses tenants for the duration of the call
    // only (`SET app.cross_tenant = 'auth.principal'` in its definition), filtered by the token's session and user.
    const rows = await this.db.callScopedFunction<UserProfileRow>(
      'session-principal',
      'SELECT * FROM session_principal($1, $2)',
      [sessionId, userId],
    );
    return rows[0] ?? null;
  }

  /**
   * Of the given sessions, those still live with an active user and tenant, with the user's current role and tenant:
   * the proctoring gateway's periodic re-check of its staff sockets, one query for all of an instance's sockets
   * (the same conditions as `session_principal`).
   */
  async liveSessions(
    ctx: RequestContext,
    sessionIds: readonly string[],
  ): Promise<Map<string, { userId: string; tenantId: string; role: Role }>> {
    const live = new Map<string, { userId: string; tenantId: string; role: Role }>();
    if (sessionIds.length === 0) return live;
    const rows: { id: string; user_id: string; tenant_id: string; role: Role }[] = await this.db.crossTenant(
      ctx,
      'proctoring.recheck',
      (tx) =>
        this.db.manager(tx).query(
          `SELECT s.id, u.id AS user_id, u.tenant_id, u.role
             FROM sessions s
             JOIN users u ON u.id = s.user_id
             JOIN tenants t ON t.id = u.tenant_id
            WHERE s.id = ANY($1::uuid[]) AND s.revoked_at IS NULL AND s.expires_at > now()
              AND u.is_active AND t.is_active`,
          [sessionIds],
        ),
    );
    for (const row of rows) live.set(row.id, { userId: row.user_id, tenantId: row.tenant_id, role: row.role });
    return live;
  }

  private async ownerActive(ctx: RequestContext, userId: string): Promise<boolean> {
    const rows: { active: boolean }[] = await this.db
      .manager(ctx)
      .query(
        `SELECT (u.is_active AND t.is_active) AS active FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE u.id = $1`,
        [userId],
      );
    return rows[0]?.active === true;
  }

  async revoke(ctx: RequestContext, sessionId: string, reason: RevokeReason): Promise<boolean> {
    const result = await this.db
      .repo(ctx, SessionEntity)
      .update({ id: sessionId, revoked_at: IsNull() }, { revoked_at: new Date(), revoke_reason: reason });
    if ((result.affected ?? 0) > 0) this.revoked();
    return (result.affected ?? 0) > 0;
  }

  /** Revokes every live session of a user, except (optionally) the caller's own. Returns how many. */
  async revokeAllForUser(
    ctx: RequestContext,
    userId: string,
    reason: RevokeReason,
    options: { exceptSessionId?: string } = {},
  ): Promise<number> {
    const where = {
      user_id: userId,
      revoked_at: IsNull(),
      ...(options.exceptSessionId ? { id: Not(options.exceptSessionId) } : {}),
    };
    const result = await this.db
      .repo(ctx, SessionEntity)
      .update(where, { revoked_at: new Date(), revoke_reason: reason });
    if ((result.affected ?? 0) > 0) this.revoked();
    return result.affected ?? 0;
  }

  /** Revokes every live session in a tenant (deactivation): reactivating it later must not revive old tokens. */
  async revokeAllForTenant(ctx: RequestContext, tenantId: string, reason: RevokeReason) {
    const result = await this.db
      .repo(ctx, SessionEntity)
      .update({ tenant_id: tenantId, revoked_at: IsNull() }, { revoked_at: new Date(), revoke_reason: reason });
    if ((result.affected ?? 0) > 0) this.revoked();
    return result.affected ?? 0;
  }

  /**
   * A hint that sessions were revoked on this instance (logout, deactivation, password or role change): the proctoring
   * gateway re-checks its staff sockets shortly after, instead of at its next periodic pass. Told inside the
   * revoking unit of work, before its commit, so a listener must not read at once; nothing depends on it being told.
   */
  onRevoked(listener: () => void): () => void {
    this.revokedListeners.add(listener);
    return () => this.revokedListeners.delete(listener);
  }

  private revoked(): void {
    for (const listener of this.revokedListeners) listener();
  }

  listActive(ctx: RequestContext, userId: string): Promise<SessionRecord[]> {
    return this.sessionsTable.listLive(ctx, userId);
  }

  findOwn(ctx: RequestContext, userId: string, sessionId: string): Promise<SessionRecord | null> {
    return this.sessionsTable.findOwn(ctx, userId, sessionId);
  }
}
