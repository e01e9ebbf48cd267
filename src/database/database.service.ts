import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, EntityTarget, ObjectLiteral, Repository } from 'typeorm';
import { RequestContext } from '../common/context/request-context';

/**
 * Every service reaches the database through here, with the caller's context: the manager a query runs on is
 * `ctx.manager` when the context carries one, else the pool's. `transaction(ctx, (tx) => …)` hands its callback a
 * copy of the context whose `manager` is the transaction, so callees take only `(ctx, …)` and their queries join
 * it without an extra parameter. That is also the hook for row-level security: a per-request transaction that has
 * run `SET LOCAL app.tenant_id = …` placed on `ctx.manager` makes every query made through this service run
 * inside it, unchanged.
 */
@Injectable()
export class DatabaseService {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  manager(ctx: RequestContext): EntityManager {
    return ctx.manager ?? this.dataSource.manager;
  }

  repo<T extends ObjectLiteral>(ctx: RequestContext, entity: EntityTarget<T>): Repository<T> {
    return this.manager(ctx).getRepository(entity);
  }

  /**
   * Runs `work` in a transaction and hands it `tx`: the same context with `manager` set to the transaction.
   * A context that already carries an open transaction is handed on as is (nested calls join it).
   */
  transaction<C extends RequestContext, T>(ctx: C, work: (tx: C) => Promise<T>): Promise<T> {
    if (ctx.manager?.queryRunner?.isTransactionActive) return work(ctx);
    return this.manager(ctx).transaction((manager) => work({ ...ctx, manager }));
  }

  /**
   * A unit of work that may read and write every tenant's rows, with the reason said where it is used (a login
   * looking up an e-mail, a public invitation route resolving its token, a background job, platform statistics).
   */
  crossTenant<C extends RequestContext, T>(ctx: C, reason: string, work: (tx: C) => Promise<T>): Promise<T> {
    void reason;
    return this.transaction(ctx, work);
  }

  /**
   * A unit of work scoped to a tenant the caller has established itself (a public token route once the token named
   * its invitation, a background job working through one tenant's rows).
   */
  asTenant<C extends RequestContext, T>(ctx: C, tenantId: string, work: (tx: C) => Promise<T>): Promise<T> {
    void tenantId;
    return this.transaction(ctx, work);
  }
}
