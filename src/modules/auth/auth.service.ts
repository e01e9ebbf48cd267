import { Injectable } from '@nestjs/common';
import { PasswordService } from '../../common/auth/password.service';
import { AuthenticatedContext, RequestContext } from '../../common/context/request-context';
import { AppError } from '../../common/errors/app-error';
import { RateLimiterService } from '../../common/rate-limit/rate-limiter.service';
import { AppConfigService } from '../../config/app-config.service';
import { DatabaseService } from '../../database/database.service';
import { AuditService } from '../audit/audit.service';
import { SessionsService } from '../sessions/sessions.service';
import { SYSTEM_TENANT_ID } from '../../domain/tenancy';
import { INVALID_CURRENT_PASSWORD, ROLE_NOT_ALLOWED, toUserResponse, USER_NOT_FOUND, UserResponse } from '../users';
import { UserAccountsService, UserCredentials } from '../users/user-accounts.service';
import { InvitationAdmissionService } from '../timed-tests/invitation-admission.service';
import { LoginDto, LoginResponse, RegisterDto, SessionResponse } from './dto/auth.dto';
import { TokenService } from './token.service';
import { RATE_LIMITED, VALIDATION_ERROR } from '../../common/errors/common.errors';
import {
  INVALID_CREDENTIALS,
  INVALID_INVITATION,
  INVALID_REFRESH_TOKEN,
  PASSWORD_UNCHANGED,
  REGISTRATION_DISABLED,
  SESSION_NOT_FOUND,
} from './auth.errors';

@Injectable()
export class AuthService {
  constructor(
    private readonly users: UserAccountsService,
    private readonly sessions: SessionsService,
    private readonly tokens: TokenService,
    private readonly passwords: PasswordService,
    private readonly limiter: RateLimiterService,
    private readonly audit: AuditService,
    private readonly config: AppConfigService,
    private readonly invitations: InvitationAdmissionService,
    private readonly db: DatabaseService,
  ) {}

  /**
   * Only wrong credentials count, against (account, IP) and IP budgets. A slot is reserved before the password
   * check and settled after it, so concurrent guesses on several instances never get more checks than the budget,
   * while successes (however many in flight) and database errors never count. See RateLimiterService.reserve.
   */
  async login(ctx: RequestContext, dto: LoginDto): Promise<LoginResponse> {
    const ip = ctx.ip ?? 'unknown';
    const { loginPerAccount, loginPerIp } = this.config.rateLimits;
    const attempt = await this.limiter.reserve([
      { key: `login:ip:${ip}`, rule: loginPerIp },
      { key: `login:account:${dto.email}:${ip}`, rule: loginPerAccount },
    ]);

    let user: UserCredentials | null;
    let valid: boolean;
    try {
      user = await this.users.findCredentials(dto.email);
      valid = user
        ? await this.passwords.verify(dto.password, user.password_hash)
        : await this.passwords.verifyAgainstDummyHash(dto.password);
    } catch (error) {
      // The database (or anything else) failed before the credentials could be judged: not a failed login.
      await attempt.release().catch(() => undefined);
      throw error;
    }
    if (!user || !valid || !user.is_active || !user.tenant_is_active) {
      await attempt.fail();
      await this.audit.recordSafely(ctx, {
        action: 'auth.login_failed',
        resourceType: 'user',
        resourceId: user?.id ?? null,
        tenantId: user?.tenant_id ?? null,
        userId: null,
        newValues: {
          email: dto.email,
          reason: !user ? 'unknown_email' : !valid ? 'wrong_password' : 'inactive',
        },
      });
      throw INVALID_CREDENTIALS();
    }

    await attempt.release();
    // Outside any unit of work: a bcrypt hash when the stored one was made at another cost.
    const rehashed = await this.users.rehashIfNeeded(user, dto.password);
    const opened = await this.sessions.openForLogin(ctx, user, rehashed);
    if (!opened) throw USER_NOT_FOUND();
    const profile: UserResponse = {
      ...user.profile,
      last_login: opened.lastLogin.toISOString(),
      updated_at: opened.updatedAt.toISOString(),
    };
    return this.issue(profile, opened.session.id, opened.refreshToken);
  }

  async refresh(ctx: RequestContext, presented: string): Promise<LoginResponse> {
    const result = await this.sessions.rotate(ctx, presented);
    if (result.outcome === 'invalid') throw INVALID_REFRESH_TOKEN();
    if (result.outcome === 'reused') {
      await this.audit.recordSafely(ctx, {
        action: 'auth.refresh_token_reuse',
        resourceType: 'session',
        resourceId: result.session.id,
        tenantId: result.session.tenant_id,
        userId: result.session.user_id,
        newValues: { session_revoked: true },
      });
      throw INVALID_REFRESH_TOKEN();
    }
    const { session, refreshToken } = result;
    await this.audit.recordSafely(ctx, {
      action: 'auth.refresh',
      resourceType: 'session',
      resourceId: session.id,
      tenantId: session.tenant_id,
      userId: session.user_id,
    });
    return this.db.asTenant(ctx, session.tenant_id, (tx) =>
      this.loginResponse(tx, session.user_id, session.id, refreshToken),
    );
  }

  async logout(ctx: AuthenticatedContext): Promise<void> {
    await this.db.transaction(ctx, (tx) => this.sessions.revoke(tx, ctx.user.sessionId, 'logout'));
    await this.audit.recordSafely(ctx, {
      action: 'auth.logout',
      resourceType: 'session',
      resourceId: ctx.user.sessionId,
    });
  }

  me(ctx: AuthenticatedContext): UserResponse {
    return toUserResponse(ctx.user.profile, ctx.user.profile.tenant_name);
  }

  /**
   * Registration with an invitation token admits a candidate into the invitation's tenant when the token is valid
   * (not cancelled, not expired) and the invitation is addressed to this e-mail (case-insensitive), whatever
   * ALLOW_PUBLIC_REGISTRATION says; any other token is 403 INVALID_INVITATION. Without a token, public registration
   * (ALLOW_PUBLIC_REGISTRATION) puts a candidate in the System tenant, as the first seed did.
   */
  async register(ctx: RequestContext, dto: RegisterDto): Promise<UserResponse> {
    if (dto.role !== undefined && dto.role !== 'candidate') {
      throw ROLE_NOT_ALLOWED('Only candidates can register themselves');
    }
    let tenantId = SYSTEM_TENANT_ID;
    if (dto.invite_token !== undefined) {
      const invited = await this.invitations.tenantFor(ctx, dto.invite_token, dto.email);
      if (!invited) throw INVALID_INVITATION();
      tenantId = invited;
    } else if (!this.config.auth.allowPublicRegistration) {
      throw REGISTRATION_DISABLED();
    }
    const fullName = dto.full_name ?? dto.candidate_name;
    if (!fullName) {
      throw VALIDATION_ERROR([{ field: 'full_name', message: 'full_name or candidate_name is required' }]);
    }
    return this.users.registerCandidate(ctx, {
      email: dto.email,
      password: dto.password,
      full_name: fullName,
      candidate_id: dto.candidate_id ?? null,
      tenant_id: tenantId,
      preferred_language: dto.preferred_language,
    });
  }

  async listSessions(ctx: AuthenticatedContext): Promise<SessionResponse[]> {
    const sessions = await this.db.transaction(ctx, (tx) => this.sessions.listActive(tx, ctx.user.id));
    return sessions.map((session) => ({
      id: session.id,
      created_at: session.created_at.toISOString(),
      last_used_at: session.last_used_at.toISOString(),
      expires_at: session.expires_at.toISOString(),
      ip_address: session.ip_address,
      user_agent: session.user_agent,
      current: session.id === ctx.user.sessionId,
    }));
  }

  async revokeSession(ctx: AuthenticatedContext, sessionId: string): Promise<void> {
    const revoked = await this.db.transaction(ctx, async (tx) => {
      const session = await this.sessions.findOwn(tx, ctx.user.id, sessionId);
      if (!session) throw SESSION_NOT_FOUND();
      return (await this.sessions.revoke(tx, session.id, 'revoked_by_user')) ? session : null;
    });
    if (revoked) {
      await this.audit.recordSafely(ctx, {
        action: 'auth.session_revoke',
        resourceType: 'session',
        resourceId: revoked.id,
      });
    }
  }

  /**
   * Wrong current passwords count per account (RATE_LIMIT_CHANGE_PASSWORD_*, like failed logins), so a stolen access
   * token is not a password oracle. The wrong answer that reaches the limit revokes the caller's session and is a
   * 429; its access token then fails with 401 SESSION_REVOKED. Until the window ends, every session of the account
   * gets 429 here without a password check.
   */
  async changePassword(ctx: AuthenticatedContext, currentPassword: string, newPassword: string): Promise<void> {
    if (newPassword === currentPassword) {
      throw PASSWORD_UNCHANGED();
    }
    const rule = this.config.rateLimits.changePassword;
    const attempt = await this.limiter.reserve([{ key: `change-password:user:${ctx.user.id}`, rule }]);
    try {
      await this.users.changePassword(ctx, currentPassword, newPassword);
    } catch (error) {
      if (!(error instanceof AppError && error.code === INVALID_CURRENT_PASSWORD().code)) {
        await attempt.release().catch(() => undefined);
        throw error;
      }
      const [failures] = await attempt.fail();
      if (failures.count < rule.limit) throw error;
      await this.db.transaction(ctx, (tx) =>
        this.sessions.revoke(tx, ctx.user.sessionId, 'too_many_password_attempts'),
      );
      await this.audit.recordSafely(ctx, {
        action: 'auth.session_revoke',
        resourceType: 'session',
        resourceId: ctx.user.sessionId,
        newValues: { reason: 'too_many_password_attempts', failed_attempts: failures.count },
      });
      throw RATE_LIMITED(failures.resetMs / 1000);
    }
    await attempt.release();
  }

  private async loginResponse(
    ctx: RequestContext,
    userId: string,
    sessionId: string,
    refreshToken: string,
  ): Promise<LoginResponse> {
    return this.issue(await this.users.getProfile(ctx, userId), sessionId, refreshToken);
  }

  private issue(user: UserResponse, sessionId: string, refreshToken: string): LoginResponse {
    return {
      access_token: this.tokens.signAccess(user, sessionId),
      refresh_token: refreshToken,
      token_type: 'bearer',
      expires_in: this.tokens.accessTokenSeconds,
      user,
    };
  }
}
