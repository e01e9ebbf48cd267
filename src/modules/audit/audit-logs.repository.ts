import { Injectable } from '@nestjs/common';
import { AuthenticatedContext } from '../../common/context/request-context';
import { DatabaseService } from '../../database/database.service';
import { callerScope, TenantScopedRepository } from '../../database/tenant-scoped';
import { visibleUserSql } from '../users';
import { ListAuditLogsQueryDto } from './dto/list-audit-logs-query.dto';
import { AuditLogEntity } from './entities/audit-log.entity';

/** Reads of the audit_logs table (src/database/tenant-scoped.ts); AuditService writes the rows. */
@Injectable()
export class AuditLogsRepository extends TenantScopedRepository<AuditLogEntity> {
  constructor(db: DatabaseService) {
    super(db, AuditLogEntity);
  }

  /** The caller's tenant (a superadmin: all), minus rows about users the caller may not see. */
  list(ctx: AuthenticatedContext, query: ListAuditLogsQueryDto): Promise<[AuditLogEntity[], number]> {
    const qb = this.query(ctx, 'a', callerScope(ctx, {}));
    const actor = visibleUserSql(ctx.user, 'actor');
    const subject = visibleUserSql(ctx.user, 'subject');
    if (actor && subject) {
      // Shown only when each user the row names is one the caller may see. Asked positively ("exists and is
      // visible"), because under row-level security a user of another tenant (a superadmin acting here) is simply
      // absent from the caller's unit of work.
      qb.andWhere(
        `(a.user_id IS NULL OR EXISTS (SELECT 1 FROM users actor WHERE actor.id = a.user_id AND ${actor.sql}))
          AND (a.resource_type <> 'user' OR a.resource_id IS NULL
               OR EXISTS (SELECT 1 FROM users subject WHERE subject.id = a.resource_id AND ${subject.sql}))`,
        { ...actor.params, ...subject.params },
      );
    }
    // For an admin a foreign tenant_id matches nothing: the scope above already holds.
    if (query.tenant_id) qb.andWhere('a.tenant_id = :tenantId', { tenantId: query.tenant_id });
    if (query.action) qb.andWhere('a.action = :action', { action: query.action });
    if (query.resource_type) qb.andWhere('a.resource_type = :resourceType', { resourceType: query.resource_type });
    if (query.resource_id) qb.andWhere('a.resource_id = :resourceId', { resourceId: query.resource_id });
    if (query.user_id) qb.andWhere('a.user_id = :userId', { userId: query.user_id });
    if (query.from) qb.andWhere('a.created_at >= :from', { from: new Date(query.from) });
    if (query.to) qb.andWhere('a.created_at <= :to', { to: new Date(query.to) });
    return qb
      .orderBy('a.created_at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .offset(query.skip)
      .limit(query.limit)
      .getManyAndCount();
  }
}
