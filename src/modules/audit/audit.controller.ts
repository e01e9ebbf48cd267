import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../common/auth/decorators';
import { AuthenticatedContext } from '../../common/context/request-context';
import { Endpoint, pageOf } from '../../common/http/endpoint.decorator';
import { Page } from '../../common/http/pagination';
import { AuditQueryService } from './audit-query.service';
import { AuditLogResponse } from './dto/audit-log.response';
import { ListAuditLogsQueryDto } from './dto/list-audit-logs-query.dto';

@ApiTags('audit')
@Controller('api/v1/audit-logs')
export class AuditController {
  constructor(private readonly auditLogs: AuditQueryService) {}

  @Get()
  @Endpoint({
    roles: ['superadmin', 'admin'],
    summary: 'Audit log, newest first (admin: own tenant; superadmin: all, tenant_id filter)',
    ok: pageOf(AuditLogResponse),
    errors: [400, 401, 403],
  })
  list(@Ctx() ctx: AuthenticatedContext, @Query() query: ListAuditLogsQueryDto): Promise<Page<AuditLogResponse>> {
    return this.auditLogs.list(ctx, query);
  }
}
