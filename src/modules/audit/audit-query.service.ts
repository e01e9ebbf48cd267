import { Injectable } from '@nestjs/common';
import { AuthenticatedContext } from '../../common/context/request-context';
import { tenantWhere } from '../../common/context/tenant-scope';
import { Page } from '../../common/http/pagination';
import { DatabaseService } from '../../database/database.service';
import { visibleUserSql } from '../users';
import { AuditLogResponse, toAuditLogResponse } from './dto/audit-log.response';
import { ListAuditLogsQueryDto } from './dto/list-audit-logs-query.dto';
import { AuditLogEntity } from './entities/audit-log.entity';
import { INVALID_DATE_RANGE } from './audit.errors';

/**
 * Reading the audit log (writing is AuditService's job): admins see their tenant's rows, superadmins all. A row
 * whose actor or target user the caller may not see (for an admin: a superadmin, or a user now in another tenant)
 * is not listed, so the user visibility rule cannot be bypassed through login IPs and session ids.
 */
@Injectable()
export class AuditQueryService {
  constructor(private readonly db: DatabaseService) {}

  async list(ctx: AuthenticatedContext, query: ListAuditLogsQueryDto): Promise<Page<AuditLogResponse>> {
    if (query.from && query.to && new Date(query.from) > new Date(query.to)) {
      throw INVALID_DATE_RANGE();
    }
    const qb = this.db.repo(ctx, AuditLogEntity).createQueryBuilder('a');
    const scope = tenantWhere(ctx);
    if (scope.tenant_id) qb.andWhere('a.tenant_id = :scopeTenantId', { scopeTenantId: scope.tenant_id });
    const visible = visibleUserSql(ctx.user, 'hidden_user');
    if (visible) {
      qb.andWhere(
        `NOT EXISTS (SELECT 1 FROM users hidden_user
          WHERE (hidden_user.id = a.user_id OR (a.resource_type = 'user' AND hidden_user.id = a.resource_id))
            AND NOT ${visible.sql})`,
        visible.params,
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
    const [rows, total] = await qb
      .orderBy('a.created_at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .offset(query.skip)
      .limit(query.limit)
      .getManyAndCount();
    return { items: rows.map(toAuditLogResponse), total };
  }
}
