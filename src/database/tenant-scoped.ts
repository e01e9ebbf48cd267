import type {
  EntityTarget,
  FindManyOptions,
  FindOneOptions,
  FindOptionsWhere,
  ObjectLiteral,
  Repository,
  SelectQueryBuilder,
} from 'typeorm';
import type { AuthenticatedContext, RequestContext } from '../common/context/request-context';
import type { DatabaseService } from './database.service';
import { isSuperadmin } from '../common/auth/role-predicates';

/**
 * The one scoping path for tenant-owned tables (those with a `tenant_id` column). Every read a feature repository
 * makes goes through `scoped(ctx, where)`, whose type rejects a where clause that does not name `tenant_id` for such
 * an entity — unless the clause is wrapped as `unscoped('why', where)`, which says out loud why it may cross tenants
 * (a superadmin's view of every tenant, a signed link that is its own authority, a platform-wide uniqueness check).
 * `callerScope(ctx, where)` is the usual filter: the caller's own tenant, or every tenant for a superadmin.
 * PostgreSQL's row-level security enforces the same scope underneath (README.md "Security model"): an `unscoped`
 * read returns other tenants' rows only inside a cross-tenant unit of work.
 */

const UNSCOPED = Symbol('unscoped');

/** A where clause that deliberately does not filter by tenant, with the reason. Only `unscoped()` makes one. */
export interface Unscoped<W> {
  readonly [UNSCOPED]: string;
  readonly where: W;
}

export function unscoped<W extends object>(why: string, where: W): Unscoped<W> {
  return { [UNSCOPED]: why, where };
}

function isUnscoped<W>(where: W | Unscoped<W>): where is Unscoped<W> {
  return typeof where === 'object' && where !== null && UNSCOPED in where;
}

type Where<T> = FindOptionsWhere<T>;

/**
 * What `scoped` accepts for entity T: for a tenant-owned entity a where that names `tenant_id`, or an `unscoped()`
 * one; for any other entity any where.
 */
export type ScopedWhere<T> = T extends { tenant_id: unknown }
  ? (Where<T> & { tenant_id: NonNullable<Where<T>['tenant_id']> }) | Unscoped<Where<T>>
  : Where<T> | Unscoped<Where<T>>;

/**
 * Resolves a scoped where clause to the one TypeORM runs. T must be named (`scoped<UserEntity>(…)`, or through
 * TenantScopedRepository): left to inference it is `never`, and nothing compiles.
 */
export function scoped<T extends ObjectLiteral = never>(ctx: RequestContext, where: ScopedWhere<NoInfer<T>>): Where<T> {
  void ctx; // the caller whose scope this is: its unit of work (ctx.manager) is scoped to the same tenant by RLS
  return (isUnscoped(where) ? where.where : where) as Where<T>;
}

/** The caller's own tenant added to `where` — or, for a superadmin, every tenant, said explicitly. */
export function callerScope<W extends object>(
  ctx: AuthenticatedContext,
  where: W,
): (W & { tenant_id: string }) | Unscoped<W> {
  return isSuperadmin(ctx.user)
    ? unscoped('superadmin: all tenants', where)
    : { ...where, tenant_id: ctx.user.tenantId };
}

/**
 * Base of a feature repository over a tenant-owned table: reads take a `ScopedWhere<T>`. `query` starts a query
 * builder already filtered by a scoped where of plain values (for lists with joins, searches and counts).
 */
export abstract class TenantScopedRepository<T extends ObjectLiteral> {
  protected constructor(
    protected readonly db: DatabaseService,
    private readonly entity: EntityTarget<T>,
  ) {}

  /** For writes (insert, update, delete by id) and locks; reads go through the methods below. */
  protected repo(ctx: RequestContext): Repository<T> {
    return this.db.repo(ctx, this.entity);
  }

  protected scoped(ctx: RequestContext, where: ScopedWhere<T>): Where<T> {
    return scoped<T>(ctx, where);
  }

  protected find(
    ctx: RequestContext,
    where: ScopedWhere<T>,
    options: Omit<FindManyOptions<T>, 'where'> = {},
  ): Promise<T[]> {
    return this.repo(ctx).find({ ...options, where: this.scoped(ctx, where) });
  }

  protected findOne(
    ctx: RequestContext,
    where: ScopedWhere<T>,
    options: Omit<FindOneOptions<T>, 'where'> = {},
  ): Promise<T | null> {
    return this.repo(ctx).findOne({ ...options, where: this.scoped(ctx, where) });
  }

  protected exists(ctx: RequestContext, where: ScopedWhere<T>): Promise<boolean> {
    return this.repo(ctx).existsBy(this.scoped(ctx, where));
  }

  protected query(ctx: RequestContext, alias: string, where: ScopedWhere<T>): SelectQueryBuilder<T> {
    const qb = this.repo(ctx).createQueryBuilder(alias);
    for (const [key, value] of Object.entries(this.scoped(ctx, where))) {
      if (value === undefined) continue;
      qb.andWhere(`${alias}.${key} = :scope_${key}`, { [`scope_${key}`]: value });
    }
    return qb;
  }
}
