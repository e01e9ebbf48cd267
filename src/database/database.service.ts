import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, EntityTarget, ObjectLiteral, Repository } from 'typeorm';
import { RequestContext } from '../common/context/request-context';

/**
 * Every service reaches the database through here, with the caller's context. Today it hands out the default
 * manager; when row-level security is switched on, a per-request transaction (with `SET LOCAL app.tenant_id`)
 * is stored on `ctx.manager` and every query made through this service runs inside it, unchanged.
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

  /** Runs `work` in a transaction (or inside the request's own, when one is open). */
  transaction<T>(ctx: RequestContext, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (ctx.manager?.queryRunner?.isTransactionActive) return work(ctx.manager);
    return this.manager(ctx).transaction(work);
  }
}
