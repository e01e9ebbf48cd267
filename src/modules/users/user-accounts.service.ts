import { Injectable } from '@nestjs/common';
import { PasswordService } from '../../common/auth/password.service';
import { Role } from '../../common/auth/roles';
import { AuthenticatedContext, RequestContext } from '../../common/context/request-context';
import { DatabaseService } from '../../database/database.service';
import { AuditService } from '../audit/audit.service';
import { SessionsService } from '../sessions/sessions.service';
import { TenantDirectoryService } from '../tenants/tenant-directory.service';
import { toUserResponse, UserResponse } from './dto/user.response';
import { UserEntity } from './entities/user.entity';
import { PlatformUserCounts, TenantUserCounts, UsersRepository } from './users.repository';
import { CANDIDATE_ID_TAKEN, EMAIL_TAKEN, INVALID_CURRENT_PASSWORD, USER_NOT_FOUND } from './users.errors';

export interface NewUser {
  email: string;
  password: string;
  full_name: string;
  candidate_id?: string | null;
  role: Role;
  tenant_id: string;
  preferred_language?: string;
  is_active?: boolean;
  /** The password's hash, made before the unit of work opens (a bcrypt hash never runs inside one). */
  password_hash?: string;
}

export type { PlatformUserCounts, TenantUserCounts };

/**
 * What login needs of a user, as a plain object type (other features never see UserEntity): its identity, its
 * password hash, whether it and its tenant are active, and its profile (so a successful login reads nothing again).
 */
export interface UserCredentials {
  readonly id: string;
  readonly email: string;
  readonly password_hash: string;
  readonly role: UserEntity['role'];
  readonly tenant_id: string;
  readonly is_active: boolean;
  readonly tenant_is_active: boolean;
  /** The profile as /auth/me shows it, before this login's `last_login`. */
  readonly profile: UserResponse;
}

/**
 * A user's own account, as authentication and the account routes need it: the login lookup, the profile,
 * self-registration, the password change, and the user counts of the statistics. Managing other users (the users
 * API, with its role and tenant rules) is UserAdministrationService's job.
 */
@Injectable()
export class UserAccountsService {
  constructor(
    private readonly db: DatabaseService,
    private readonly usersTable: UsersRepository,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly tenants: TenantDirectoryService,
  ) {}

  /** For login: the user (any state, any tenant) with its tenant — the e-mail names the tenant. */
  /** Login's lookup by e-mail, across tenants (the e-mail names the tenant): one round trip, no unit of work. */
  async findCredentials(email: string): Promise<UserCredentials | null> {
    const row = await this.usersTable.loginCredentials(email);
    if (!row) return null;
    const { tenant_name, tenant_is_active, password_hash, ...user } = row;
    return {
      id: row.id,
      email: row.email,
      password_hash,
      role: row.role,
      tenant_id: row.tenant_id,
      is_active: row.is_active,
      tenant_is_active,
      profile: toUserResponse(user, tenant_name),
    };
  }

  async getProfile(ctx: RequestContext, userId: string): Promise<UserResponse> {
    const user = await this.usersTable.findWithTenant(ctx, userId);
    if (!user) throw USER_NOT_FOUND();
    return toUserResponse(user, user.tenant?.name ?? '');
  }

  /** The new hash of a password whose stored hash was made at another bcrypt cost, else null (before a unit). */
  async rehashIfNeeded(user: Pick<UserCredentials, 'password_hash'>, password: string): Promise<string | null> {
    return this.passwords.needsRehash(user.password_hash) ? this.passwords.hash(password) : null;
  }

  /**
   * Inserts a user, in the caller's unit of work, with `input.password_hash` (made beforehand, outside the unit).
   * Duplicate e-mail (platform-wide) or candidate_id (per tenant) is 409. The caller audits.
   */
  async insert(ctx: RequestContext, input: NewUser): Promise<UserEntity> {
    const email = input.email.toLowerCase();
    if (await this.usersTable.emailTaken(ctx, email)) throw EMAIL_TAKEN();
    if (input.candidate_id && (await this.usersTable.candidateIdTaken(ctx, input.tenant_id, input.candidate_id))) {
      throw CANDIDATE_ID_TAKEN();
    }
    const tenant = await this.tenants.requireActive(ctx, input.tenant_id);
    const password_hash = input.password_hash ?? (await this.passwords.hash(input.password));
    const saved = await this.db.repo(ctx, UserEntity).save({
      email,
      password_hash,
      full_name: input.full_name,
      candidate_id: input.candidate_id ?? null,
      role: input.role,
      tenant_id: input.tenant_id,
      preferred_language: input.preferred_language ?? 'en',
      is_active: input.is_active ?? true,
    });
    saved.tenant = tenant;
    return saved;
  }

  /** Self-registration of a candidate (public or by invitation). */
  async registerCandidate(ctx: RequestContext, input: Omit<NewUser, 'role'>): Promise<UserResponse> {
    const password_hash = await this.passwords.hash(input.password);
    return this.db.asTenant(ctx, input.tenant_id, async (tx) => {
      const user = await this.insert(tx, { ...input, password_hash, role: 'candidate' });
      await this.audit.record(tx, {
        action: 'user.register',
        resourceType: 'user',
        resourceId: user.id,
        tenantId: user.tenant_id,
        userId: user.id,
        newValues: toUserResponse(user, user.tenant?.name ?? ''),
      });
      return toUserResponse(user, user.tenant?.name ?? '');
    });
  }

  /** Checks the current password, stores the new one and ends every other session of the user. */
  async changePassword(ctx: AuthenticatedContext, currentPassword: string, newPassword: string): Promise<void> {
    const user = await this.db.transaction(ctx, (tx) => this.usersTable.findSelf(tx));
    if (!user) throw USER_NOT_FOUND();
    if (!(await this.passwords.verify(currentPassword, user.password_hash))) {
      throw INVALID_CURRENT_PASSWORD();
    }
    const password_hash = await this.passwords.hash(newPassword);
    await this.db.transaction(ctx, async (tx) => {
      await this.db.repo(tx, UserEntity).update(user.id, { password_hash });
      const revoked = await this.sessions.revokeAllForUser(tx, user.id, 'password_changed', {
        exceptSessionId: tx.user.sessionId,
      });
      await this.audit.record(tx, {
        action: 'user.password_change',
        resourceType: 'user',
        resourceId: user.id,
        newValues: { password: 'changed', other_sessions_revoked: revoked },
      });
    });
  }

  /** In the caller's unit of work. */
  countForTenant(ctx: RequestContext, tenantId: string): Promise<TenantUserCounts> {
    return this.usersTable.countForTenant(ctx, tenantId);
  }

  countForPlatform(ctx: RequestContext): Promise<PlatformUserCounts> {
    return this.usersTable.countForPlatform(ctx);
  }
}
