import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, EntityTarget, ObjectLiteral, Repository } from 'typeorm';
import { isSuperadmin } from '../common/auth/role-predicates';
import { RequestContext } from '../common/context/request-context';

/** What a unit of work may see: one tenant's rows, or every tenant's for a stated reason. */
export type UnitScope = { kind: 'tenant'; tenantId: string } | { kind: 'cross-tenant'; reason: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A reason is any short text without control characters or backslashes (quotes are escaped when inlined). */
const REASON = /^[^\u0000-\u001f\u007f\\]{1,200}$/;

/** The scope of each open unit of work, by its manager (the context only carries the manager). */
const scopes = new WeakMap<EntityManager, UnitScope>();

interface PgClient {
  query(text: string): Promise<unknown>;
}

interface PgPool {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/** A unit of work used the wrong way: a bug in the calling code, never a client error (500). */
export class UnitOfWorkError extends Error {
  override name = 'UnitOfWorkError';
}

/**
 * Every database access runs in a **unit of work**: one short transaction whose tenant PostgreSQL's row-level
 * security enforces (README.md "Security model", docs/architecture.md "Units of work").
 *
 * - `transaction(ctx, (tx) => …)`: the authenticated caller's unit of work — its own tenant, or, for a superadmin,
 *   every tenant (reason `superadmin`; the superadmin's reach stays visible at each query through `callerScope` /
 *   `unscoped`). Without a user on `ctx` it throws: system work names its scope with one of the two below.
 * - `crossTenant(ctx, 'reason', (tx) => …)`: work that must see several tenants or does not know the tenant yet (a
 *   login looking up an e-mail, a public token lookup, a background sweep, platform statistics). The reason is set
 *   in the transaction (`app.cross_tenant`) and logged at debug level with the request id.
 * - `asTenant(ctx, tenantId, (tx) => …)`: work for a tenant the caller has established itself (after a token named
 *   its invitation, a job working through one tenant).
 *
 * The callback gets `tx`: the same context with `manager` set to the transaction, so callees take only `(tx, …)` and
 * their queries join it. The transaction is opened and scoped in one round trip (`START TRANSACTION; SELECT
 * set_config(…)`), committed when the callback resolves and rolled back when it throws; its connection always goes
 * back to the pool. Keep units short: never across a streamed upload, a bcrypt hash or storage I/O.
 *
 * Nesting: a unit opened on a context that already carries one joins it, provided it asks for no more than the open
 * one allows — `transaction` always joins; `asTenant` joins a unit of the same tenant, and narrows a cross-tenant one
 * to its tenant for the duration of its work; `crossTenant` joins only a cross-tenant one. Asking to widen a
 * tenant's unit throws (UnitOfWorkError): the caller must open its cross-tenant work outside it, so no tenant's
 * transaction ever widens silently.
 *
 * `manager(ctx)` / `repo(ctx, …)` without an open unit of work throw (UnitOfWorkError): a forgotten path is loud, never
 * a silent query on the pool.
 */
@Injectable()
export class DatabaseService {
  private readonly logger = new Logger('UnitOfWork');

  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  manager(ctx: RequestContext): EntityManager {
    if (!ctx.manager) {
      throw new UnitOfWorkError(
        'no unit of work is open on this context: wrap the database work in db.transaction, db.crossTenant or db.asTenant',
      );
    }
    return ctx.manager;
  }

  repo<T extends ObjectLiteral>(ctx: RequestContext, entity: EntityTarget<T>): Repository<T> {
    return this.manager(ctx).getRepository(entity);
  }

  /**
   * One statement sent straight to the driver's pool, outside any unit of work, as a named prepared statement (parsed
   * and planned once per connection, without TypeORM's query-runner bookkeeping). Only for the calls of SQL functions
   * that scope themselves for the duration of the call — `session_principal` and `login_credentials`, whose
   * definitions `SET app.cross_tenant` and filter by the caller's own token or e-mail, and `login_record`, which works
   * as the tenant it is given (the one `login_credentials` returned): the hot paths (every authenticated request,
   * every login) that one round trip must serve. Anything else runs in a unit of work, where RLS sees a tenant.
   * Errors are the driver's own, which the exception filter maps like TypeORM's (a lost database: 503).
   */
  async callScopedFunction<R>(name: string, text: string, values: unknown[]): Promise<R[]> {
    if (!/^SELECT \* FROM (session_principal|login_credentials|login_record)\(/.test(text)) {
      throw new UnitOfWorkError(`callScopedFunction runs only the self-scoping SQL functions, not: ${name}`);
    }
    const pool = (this.dataSource.driver as unknown as { master: PgPool }).master;
    const { rows } = await pool.query({ name, text, values });
    return rows as R[];
  }

  /**
   * One statement in the unit of work open on `ctx`, as a named prepared statement on its connection (parsed and
   * planned once per connection; for the hot paths, e.g. autosave). `name` must be unique per statement text.
   */
  async prepared<R = Record<string, unknown>>(ctx: RequestContext, name: string, text: string, values: unknown[]) {
    const runner = this.manager(ctx).queryRunner as unknown as { databaseConnection: PgPool } | undefined;
    if (!runner?.databaseConnection) throw new UnitOfWorkError('prepared: the unit of work has no connection');
    const { rows } = await runner.databaseConnection.query({ name, text, values });
    return rows as R[];
  }

  /** The scope of the unit of work open on `ctx`, if any. */
  scopeOf(ctx: RequestContext): UnitScope | undefined {
    return ctx.manager ? scopes.get(ctx.manager) : undefined;
  }

  /** The authenticated caller's unit of work: its tenant, or every tenant for a superadmin. Nested calls join. */
  transaction<C extends RequestContext, T>(ctx: C, work: (tx: C) => Promise<T>): Promise<T> {
    if (ctx.manager) return work(ctx);
    if (!ctx.user) {
      throw new UnitOfWorkError('db.transaction needs an authenticated caller; use db.crossTenant or db.asTenant');
    }
    const scope: UnitScope = isSuperadmin(ctx.user)
      ? { kind: 'cross-tenant', reason: 'superadmin' }
      : { kind: 'tenant', tenantId: ctx.user.tenantId };
    return this.open(ctx, scope, work);
  }

  /**
   * A unit of work that may read and write every tenant's rows, with the reason said where it is used (a login
   * looking up an e-mail, a public invitation route resolving its token, a background job, platform statistics).
   */
  crossTenant<C extends RequestContext, T>(ctx: C, reason: string, work: (tx: C) => Promise<T>): Promise<T> {
    if (!REASON.test(reason.trim())) throw new UnitOfWorkError('crossTenant: a reason (e.g. "auth.login") is required');
    if (ctx.manager) {
      const open = scopes.get(ctx.manager);
      if (open?.kind === 'cross-tenant') return work(ctx);
      throw new UnitOfWorkError(
        `crossTenant("${reason}") inside a tenant's unit of work would widen it: open it outside that unit`,
      );
    }
    this.logger.debug({ requestId: ctx.requestId, reason }, `cross-tenant unit of work: ${reason}`);
    return this.open(ctx, { kind: 'cross-tenant', reason }, work);
  }

  /**
   * A unit of work scoped to a tenant the caller has established itself (a public token route once the token named
   * its invitation, a background job working through one tenant's rows).
   */
  asTenant<C extends RequestContext, T>(ctx: C, tenantId: string, work: (tx: C) => Promise<T>): Promise<T> {
    if (!UUID.test(tenantId)) throw new UnitOfWorkError('asTenant: the tenant id is not a UUID');
    if (ctx.manager) {
      const open = scopes.get(ctx.manager);
      if (open?.kind === 'tenant' && open.tenantId === tenantId) return work(ctx);
      if (open?.kind === 'cross-tenant') return this.narrow(ctx, ctx.manager, open, tenantId, work);
      throw new UnitOfWorkError('asTenant inside a unit of work of another tenant');
    }
    return this.open(ctx, { kind: 'tenant', tenantId }, work);
  }

  /**
   * A unit of work whose tenant its first statement finds: the call of a SQL function that crosses tenants for the
   * duration of the call only (its definition sets `app.cross_tenant`: `invitation_by_token`, the public token
   * routes' lookup) and returns at most one row with a `tenant_id`. BEGIN, the call and the scoping of the unit to
   * that row's tenant (`set_config('app.tenant_id', …)` in the same statement) travel in one round trip, so a token
   * route costs no more round trips than a tenant's own unit of work. The arguments are inlined into that simple-
   * protocol message, hence typed: a `Buffer` becomes a bytea hex literal, a string must be a plain word.
   * No row: nothing was scoped (the unit sees no tenant's rows), `work` is not called, and the result is
   * `{ found: false }`.
   */
  async unitScopedBy<R extends { tenant_id: string }, C extends RequestContext, T>(
    ctx: C,
    lookup: { fn: 'invitation_by_token'; args: (Buffer | string)[] },
    work: (tx: C, row: R) => Promise<T>,
  ): Promise<{ found: false } | { found: true; value: T }> {
    if (ctx.manager) throw new UnitOfWorkError(`unitScopedBy(${lookup.fn}) opens its own unit of work`);
    const args = lookup.args.map((arg) => {
      if (Buffer.isBuffer(arg)) return `'\\x${arg.toString('hex')}'::bytea`;
      if (/^[a-z_]{1,30}$/.test(arg)) return `'${arg}'`;
      throw new UnitOfWorkError(`unitScopedBy(${lookup.fn}): argument is neither a Buffer nor a plain word`);
    });
    const first =
      `SELECT r.*, set_config('app.tenant_id', r.tenant_id::text, true) AS unit_tenant ` +
      `FROM ${lookup.fn}(${args.join(', ')}) r`;
    return this.open(
      ctx,
      { kind: 'tenant', tenantId: '' },
      async (tx, rows) => {
        if (rows.length > 1) throw new UnitOfWorkError(`unitScopedBy(${lookup.fn}) found more than one row`);
        if (rows.length === 0) return { found: false as const };
        const { unit_tenant: tenantId, ...row } = rows[0];
        if (typeof tenantId !== 'string' || !UUID.test(tenantId)) {
          throw new UnitOfWorkError(`unitScopedBy(${lookup.fn}): the row has no tenant`);
        }
        scopes.set(tx.manager!, { kind: 'tenant', tenantId });
        return { found: true as const, value: await work(tx, row as unknown as R) };
      },
      first,
    );
  }

  /**
   * `asTenant` inside a cross-tenant unit (a token lookup that found its tenant, then works as it): the same
   * transaction is narrowed to that tenant for the duration of `work`, then widened back to the outer reason. Do not
   * run other queries of the outer unit concurrently with `work`: they would share the narrowed scope.
   */
  private async narrow<C extends RequestContext, T>(
    ctx: C,
    manager: EntityManager,
    outer: UnitScope & { kind: 'cross-tenant' },
    tenantId: string,
    work: (tx: C) => Promise<T>,
  ): Promise<T> {
    const set = (tenant: string, reason: string) =>
      manager.query(`SELECT set_config('app.tenant_id', $1, true), set_config('app.cross_tenant', $2, true)`, [
        tenant,
        reason,
      ]);
    await set(tenantId, '');
    scopes.set(manager, { kind: 'tenant', tenantId });
    let result: T;
    try {
      result = await work(ctx);
    } catch (error) {
      scopes.set(manager, outer);
      await set('', outer.reason).catch(() => undefined); // the transaction may be aborted: the error stands
      throw error;
    }
    scopes.set(manager, outer);
    await set('', outer.reason);
    return result;
  }

  private async open<C extends RequestContext, T>(
    ctx: C,
    scope: UnitScope,
    work: (tx: C, firstRows: Record<string, unknown>[]) => Promise<T>,
    first?: string,
  ): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    // Values are validated above (a UUID; a reason without control characters or backslashes, its quotes doubled):
    // safe to inline as standard string literals, which lets BEGIN and the scope travel in one simple-protocol
    // round trip (parameters would need the extended protocol, one statement per message).
    const tenant = scope.kind === 'tenant' ? scope.tenantId : '';
    const reason = scope.kind === 'cross-tenant' ? scope.reason.replace(/'/g, "''") : '';
    // Marked active before the first statement, as TypeORM's own startTransaction does: if that statement fails
    // half-way, the catch below still sends ROLLBACK before the connection returns to the pool.
    const state = runner as unknown as { isTransactionActive: boolean; transactionDepth: number };
    try {
      const client = (await runner.connect()) as PgClient;
      state.isTransactionActive = true;
      state.transactionDepth = 1;
      const begin =
        `START TRANSACTION; SELECT set_config('app.tenant_id', '${tenant}', true), ` +
        `set_config('app.cross_tenant', '${reason}', true)`;
      let firstRows: Record<string, unknown>[] = [];
      if (first === undefined) {
        await runner.query(begin);
      } else {
        // Several statements in one simple-protocol message: the driver answers with one result per statement.
        const results = (await client.query(`${begin}; ${first}`)) as unknown as { rows: Record<string, unknown>[] }[];
        firstRows = results[results.length - 1].rows;
      }
      scopes.set(runner.manager, scope);
      const result = await work({ ...ctx, manager: runner.manager }, firstRows);
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive && !runner.isReleased) {
        await runner.rollbackTransaction().catch(() => undefined);
      }
      throw error;
    } finally {
      await runner.release();
    }
  }
}
