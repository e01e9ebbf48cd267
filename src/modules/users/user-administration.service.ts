import { Injectable } from '@nestjs/common';
import { PasswordService } from '../../common/auth/password.service';
import { AuthenticatedContext } from '../../common/context/request-context';
import { targetTenant } from '../../common/context/tenant-scope';
import { Page } from '../../common/http/pagination';
import { DatabaseService } from '../../database/database.service';
import { AuditService } from '../audit/audit.service';
import { SessionsService } from '../sessions/sessions.service';
import { SYSTEM_TENANT_ID } from '../../domain/tenancy';
import { TenantDirectoryService } from '../tenants/tenant-directory.service';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQueryDto } from './dto/list-users-query.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { toUserResponse, UserResponse } from './dto/user.response';
import { UserEntity } from './entities/user.entity';
import { assertMayGrantRole, assertSuperadminPlacement, canSeeUser, planUserUpdate, UserChanges } from './user-rules';
import { UsersRepository } from './users.repository';
import { UserAccountsService } from './user-accounts.service';
import { VALIDATION_ERROR } from '../../common/errors/common.errors';
import { CANDIDATE_ID_TAKEN, CANNOT_DEACTIVATE_SELF, EMAIL_TAKEN, USER_NOT_FOUND } from './users.errors';
import { isSuperadmin } from '../../common/auth/role-predicates';

/**
 * Administration of users (the users API): who may list, read, create, change and deactivate whom (the rules
 * themselves are in user-rules.ts). Every mutation and its audit row commit together. A user's own account
 * (login, profile, password) is UserAccountsService's.
 */
@Injectable()
export class UserAdministrationService {
  constructor(
    private readonly db: DatabaseService,
    private readonly usersTable: UsersRepository,
    private readonly users: UserAccountsService,
    private readonly passwords: PasswordService,
    private readonly sessions: SessionsService,
    private readonly audit: AuditService,
    private readonly tenants: TenantDirectoryService,
  ) {}

  /** Admins list their own tenant (never superadmins); a superadmin lists everyone, optionally by tenant. */
  async list(ctx: AuthenticatedContext, query: ListUsersQueryDto): Promise<Page<UserResponse>> {
    const [rows, total] = await this.db.transaction(ctx, (tx) => this.usersTable.list(tx, query));
    return { items: rows.map((user) => toUserResponse(user, user.tenant?.name ?? '')), total };
  }

  async get(ctx: AuthenticatedContext, id: string): Promise<UserResponse> {
    const user = await this.db.transaction(ctx, (tx) => this.findVisible(tx, { id }));
    return toUserResponse(user, user.tenant?.name ?? '');
  }

  async getByEmail(ctx: AuthenticatedContext, email: string): Promise<UserResponse> {
    const user = await this.db.transaction(ctx, (tx) => this.findVisible(tx, { email: email.trim().toLowerCase() }));
    return toUserResponse(user, user.tenant?.name ?? '');
  }

  /**
   * Admins create admins, proctors and candidates in their own tenant only; a superadmin creates anyone anywhere
   * (default: the System tenant), but superadmins only in the System tenant.
   */
  async create(ctx: AuthenticatedContext, dto: CreateUserDto): Promise<UserResponse> {
    const fullName = dto.full_name ?? dto.candidate_name;
    if (!fullName) {
      throw VALIDATION_ERROR([{ field: 'full_name', message: 'full_name or candidate_name is required' }]);
    }
    const role = dto.role ?? 'candidate';
    assertMayGrantRole(ctx.user, role);
    const tenantId = targetTenant(ctx, dto.tenant_id ?? (isSuperadmin(ctx.user) ? SYSTEM_TENANT_ID : null));
    assertSuperadminPlacement(role, tenantId);
    const password_hash = await this.passwords.hash(dto.password);
    return this.db.transaction(ctx, async (tx) => {
      const user = await this.users.insert(tx, {
        email: dto.email,
        password: dto.password,
        password_hash,
        full_name: fullName,
        candidate_id: dto.candidate_id ?? null,
        role,
        tenant_id: tenantId,
        preferred_language: dto.preferred_language ?? dto.language_code,
        is_active: dto.is_active,
      });
      const created = toUserResponse(user, user.tenant?.name ?? '');
      await this.audit.record(tx, {
        action: 'user.create',
        resourceType: 'user',
        resourceId: user.id,
        tenantId: user.tenant_id,
        newValues: created,
      });
      return created;
    });
  }

  async update(ctx: AuthenticatedContext, id: string, dto: UpdateUserDto): Promise<UserResponse> {
    // Check visibility and the rules before paying for a bcrypt hash; they are checked again under the row lock.
    planUserUpdate(ctx.user, await this.db.transaction(ctx, (tx) => this.findVisible(tx, { id })), dto);
    const passwordHash = dto.password !== undefined ? await this.passwords.hash(dto.password) : undefined;

    return this.db.transaction(ctx, async (tx) => {
      const target = await this.lockVisible(tx, id);
      const plan = planUserUpdate(tx.user, target, dto);
      if (Object.keys(plan.changes).length === 0 && !passwordHash) return this.response(tx, id);
      await this.assertAvailable(tx, target, plan.changes);
      const before = await this.response(tx, id);
      await this.db
        .repo(tx, UserEntity)
        .update(id, { ...plan.changes, ...(passwordHash ? { password_hash: passwordHash } : {}) });
      const revoked = plan.revokeReason ? await this.sessions.revokeAllForUser(tx, id, plan.revokeReason) : 0;
      const after = await this.response(tx, id);
      await this.audit.record(tx, {
        action: 'user.update',
        resourceType: 'user',
        resourceId: id,
        tenantId: after.tenant_id,
        oldValues: before,
        newValues: { ...after, ...(plan.passwordReset ? { password: 'reset' } : {}), sessions_revoked: revoked },
      });
      return after;
    });
  }

  /** DELETE deactivates (history such as submissions and audit rows keeps pointing at the user). */
  async deactivate(ctx: AuthenticatedContext, id: string): Promise<UserResponse> {
    return this.db.transaction(ctx, async (tx) => {
      const target = await this.lockVisible(tx, id);
      if (target.id === tx.user.id) {
        throw CANNOT_DEACTIVATE_SELF();
      }
      const before = await this.response(tx, id);
      if (target.is_active) await this.db.repo(tx, UserEntity).update(id, { is_active: false });
      // Even when already inactive: a session left over from before must not survive a second request to end it.
      const revoked = await this.sessions.revokeAllForUser(tx, id, 'user_deactivated');
      const after = await this.response(tx, id);
      if (target.is_active) {
        await this.audit.record(tx, {
          action: 'user.deactivate',
          resourceType: 'user',
          resourceId: id,
          tenantId: after.tenant_id,
          oldValues: before,
          newValues: { ...after, sessions_revoked: revoked },
        });
      }
      return after;
    });
  }

  /** A user the caller may see, or 404 — a foreign user is indistinguishable from a missing one. */
  private async findVisible(ctx: AuthenticatedContext, where: { id: string } | { email: string }): Promise<UserEntity> {
    const user = await this.usersTable.findInScope(ctx, where);
    if (!user || !canSeeUser(ctx.user, user)) throw USER_NOT_FOUND();
    return user;
  }

  /** Same, locked for the rest of the transaction so concurrent updates cannot interleave. */
  private async lockVisible(ctx: AuthenticatedContext, id: string): Promise<UserEntity> {
    const user = await this.usersTable.lockInScope(ctx, id);
    if (!user || !canSeeUser(ctx.user, user)) throw USER_NOT_FOUND();
    return user;
  }

  /** Friendly 409/404s for the common cases; the unique indexes still catch a race (mapped to 409 by the filter). */
  private async assertAvailable(ctx: AuthenticatedContext, target: UserEntity, changes: UserChanges): Promise<void> {
    if (changes.email && (await this.usersTable.emailTaken(ctx, changes.email, target.id))) {
      throw EMAIL_TAKEN();
    }
    const tenantId = changes.tenant_id ?? target.tenant_id;
    if (changes.tenant_id) {
      await this.tenants.requireActive(ctx, tenantId);
    }
    const candidateId = changes.candidate_id === undefined ? target.candidate_id : changes.candidate_id;
    if (
      candidateId &&
      (changes.candidate_id !== undefined || changes.tenant_id) &&
      (await this.usersTable.candidateIdTaken(ctx, tenantId, candidateId, target.id))
    ) {
      throw CANDIDATE_ID_TAKEN();
    }
  }

  private async response(ctx: AuthenticatedContext, id: string): Promise<UserResponse> {
    const user = await this.usersTable.reloadWithTenant(ctx, id);
    return toUserResponse(user, user.tenant?.name ?? '');
  }
}
