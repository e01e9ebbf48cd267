import { Injectable } from '@nestjs/common';
import { Brackets, Not } from 'typeorm';
import { AuthenticatedContext, RequestContext } from '../../common/context/request-context';
import { DatabaseService } from '../../database/database.service';
import { callerScope, TenantScopedRepository, unscoped } from '../../database/tenant-scoped';
import { isSuperadmin } from '../../common/auth/role-predicates';
import { ListUsersQueryDto } from './dto/list-users-query.dto';
import { UserEntity } from './entities/user.entity';

/** `%`, `_` and `\` are wildcards (or the escape) in LIKE patterns; a search for "a_b" means the literal text. */
export function likePattern(search: string): string {
  return `%${search.replace(/[\\%_]/g, '\\$&')}%`;
}

/** A row of `login_credentials(email)`. */
export interface LoginCredentialsRow extends Omit<UserEntity, 'tenant'> {
  tenant_name: string;
  tenant_is_active: boolean;
}

export interface TenantUserCounts {
  total: number;
  admins: number;
  candidates: number;
  active_last_30_days: number;
}

export interface PlatformUserCounts {
  active_total: number;
  added_last_7_days: number;
}

/**
 * Reads of the users table (src/database/tenant-scoped.ts). E-mail addresses are unique platform-wide, so the
 * lookups that must see every tenant (login, the uniqueness check) say so with `unscoped`.
 */
@Injectable()
export class UsersRepository extends TenantScopedRepository<UserEntity> {
  constructor(db: DatabaseService) {
    super(db, UserEntity);
  }

  /**
   * For login: the user (any state, any tenant) with its tenant's name and state, by e-mail — one prepared
   * statement through the SQL function `login_credentials` (migration 1764050000000-LoginCredentials), which crosses
   * tenants (reason `auth.login`) for the duration of the call only: the e-mail is what names the tenant.
   */
  async loginCredentials(email: string): Promise<LoginCredentialsRow | null> {
    const rows = await this.db.callScopedFunction<LoginCredentialsRow>(
      'login-credentials',
      'SELECT * FROM login_credentials($1)',
      [email.toLowerCase()],
    );
    return rows[0] ?? null;
  }

  /** The user of a validated token (its id and tenant came from the session), with its tenant. One query. */
  findWithTenant(ctx: RequestContext, userId: string): Promise<UserEntity | null> {
    // findOne with relations costs two queries (TypeORM adds an implicit take and a second lookup).
    return this.query(ctx, 'u', unscoped('the token names the user', { id: userId }))
      .leftJoinAndSelect('u.tenant', 't')
      .getOne();
  }

  /** The caller's own row. */
  findSelf(ctx: AuthenticatedContext): Promise<UserEntity | null> {
    return this.findOne(ctx, unscoped('the caller itself', { id: ctx.user.id }));
  }

  /**
   * E-mail addresses are unique platform-wide: asked of the SQL function `user_email_taken`, which crosses tenants for
   * the duration of the call (row-level security) and answers only a boolean, from inside any unit of work.
   */
  async emailTaken(ctx: RequestContext, email: string, exceptId?: string): Promise<boolean> {
    const [row] = (await this.db
      .manager(ctx)
      .query(`SELECT user_email_taken($1, $2) AS taken`, [email, exceptId ?? null])) as { taken: boolean }[];
    return row?.taken === true;
  }

  /** Bootstrap: whether the platform has any superadmin yet. */
  superadminExists(ctx: RequestContext): Promise<boolean> {
    return this.exists(ctx, unscoped('bootstrap: platform-wide', { role: 'superadmin' }));
  }

  candidateIdTaken(ctx: RequestContext, tenantId: string, candidateId: string, exceptId?: string): Promise<boolean> {
    return this.exists(ctx, {
      tenant_id: tenantId,
      candidate_id: candidateId,
      ...(exceptId ? { id: Not(exceptId) } : {}),
    });
  }

  /** Admins list their own tenant (never superadmins); a superadmin lists everyone, optionally by tenant. */
  list(ctx: AuthenticatedContext, query: ListUsersQueryDto): Promise<[UserEntity[], number]> {
    const qb = this.query(ctx, 'u', callerScope(ctx, {})).leftJoinAndSelect('u.tenant', 't');
    if (!isSuperadmin(ctx.user)) qb.andWhere('u.role <> :hiddenRole', { hiddenRole: 'superadmin' });
    // For an admin a foreign tenant_id simply matches nothing: the scope above already holds.
    if (query.tenant_id) qb.andWhere('u.tenant_id = :tenantId', { tenantId: query.tenant_id });
    if (query.role) qb.andWhere('u.role = :role', { role: query.role });
    if (query.is_active !== undefined) qb.andWhere('u.is_active = :isActive', { isActive: query.is_active });
    if (query.search) {
      const pattern = likePattern(query.search);
      qb.andWhere(
        new Brackets((w) => w.where('u.email ILIKE :pattern', { pattern }).orWhere('u.full_name ILIKE :pattern')),
      );
    }
    return qb
      .orderBy('u.created_at', 'DESC')
      .addOrderBy('u.id', 'DESC')
      .offset(query.skip)
      .limit(query.limit)
      .getManyAndCount();
  }

  /** In the caller's scope (the caller applies canSeeUser on top), with its tenant. */
  findInScope(ctx: AuthenticatedContext, where: { id: string } | { email: string }): Promise<UserEntity | null> {
    return this.findOne(ctx, callerScope(ctx, where), { relations: { tenant: true } });
  }

  /** Same, locked for the rest of the transaction so concurrent updates cannot interleave. */
  lockInScope(ctx: AuthenticatedContext, id: string): Promise<UserEntity | null> {
    return this.findOne(ctx, callerScope(ctx, { id }), { lock: { mode: 'pessimistic_write' } });
  }

  /** A row this transaction has just locked or written (its tenant may just have changed), with its tenant. */
  reloadWithTenant(ctx: RequestContext, id: string): Promise<UserEntity> {
    return this.repo(ctx).findOneOrFail({
      where: this.scoped(ctx, unscoped('a row locked in this transaction', { id })),
      relations: { tenant: true },
    });
  }

  /**
   * Users of one tenant, inactive ones included (as the first seed counted them); "active in the last 30 days"
   * means logged in within 30 days.
   */
  async countForTenant(ctx: RequestContext, tenantId: string): Promise<TenantUserCounts> {
    const [row] = await this.db.manager(ctx).query(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE role = 'admin')::int AS admins,
              count(*) FILTER (WHERE role = 'candidate')::int AS candidates,
              count(*) FILTER (WHERE last_login > now() - interval '30 days')::int AS active_last_30_days
         FROM users
        WHERE tenant_id = $1`,
      [tenantId],
    );
    return row as TenantUserCounts;
  }

  /** Platform-wide (superadmins' overview): active accounts, and accounts created in the last 7 days. */
  async countForPlatform(ctx: RequestContext): Promise<PlatformUserCounts> {
    const [row] = await this.db.manager(ctx).query(
      `SELECT count(*) FILTER (WHERE is_active)::int AS active_total,
              count(*) FILTER (WHERE created_at > now() - interval '7 days')::int AS added_last_7_days
         FROM users`,
    );
    return row as PlatformUserCounts;
  }
}
