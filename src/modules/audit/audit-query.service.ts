import { Injectable } from '@nestjs/common';
import { AuthenticatedContext } from '../../common/context/request-context';
import { Page } from '../../common/http/pagination';
import { AuditLogResponse, toAuditLogResponse } from './dto/audit-log.response';
import { ListAuditLogsQueryDto } from './dto/list-audit-logs-query.dto';
import { DatabaseService } from '../../database/database.service';
import { AuditLogsRepository } from './audit-logs.repository';
import { INVALID_DATE_RANGE } from './audit.errors';

/**
 * Reading the audit log (writing is AuditService's job): admins see their tenant's rows, superadmins all. A row
 * whose actor or target user the caller may not see (for an admin: a superadmin, or a user now in another tenant)
 * is not listed, so the user visibility rule cannot be bypassed through login IPs and session ids.
 */
@Injectable()
export class AuditQueryService {
  constructor(
    private readonly auditLogs: AuditLogsRepository,
    private readonly db: DatabaseService,
  ) {}

  async list(ctx: AuthenticatedContext, query: ListAuditLogsQueryDto): Promise<Page<AuditLogResponse>> {
    if (query.from && query.to && new Date(query.from) > new Date(query.to)) {
      throw INVALID_DATE_RANGE();
    }
    const [rows, total] = await this.db.transaction(ctx, (tx) => this.auditLogs.list(tx, query));
    return { items: rows.map(toAuditLogResponse), total };
  }
}
