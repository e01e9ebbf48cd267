import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Ctx, Roles } from '../../common/auth/decorators';
import { AuthenticatedContext } from '../../common/context/request-context';
import { ApiErrors } from '../../common/http/api-errors';
import { sendPage, TOTAL_COUNT_HEADER } from '../../common/http/pagination';
import { AuditQueryService } from './audit-query.service';
import { AuditLogResponse } from './dto/audit-log.response';
import { ListAuditLogsQueryDto } from './dto/list-audit-logs-query.dto';


@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit-logs')
export class AuditController {
  constructor(private readonly auditLogs: AuditQueryService) {}

  @Get()
  @Roles('superadmin', 'admin')
  @ApiOperation({ summary: 'Audit log, newest first (admin: own tenant; superadmin: all, tenant_id filter)' })
  @ApiOkResponse({ type: [AuditLogResponse], headers: TOTAL_COUNT_HEADER })
  @ApiErrors(400, 401, 403)
  async list(
    @Ctx() ctx: AuthenticatedContext,
    @Query() query: ListAuditLogsQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<AuditLogResponse[]> {
    return sendPage(res, await this.auditLogs.list(ctx, query));
  }
}
