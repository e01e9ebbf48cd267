import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../common/auth/decorators';
import { AuthenticatedContext } from '../../common/context/request-context';
import { Endpoint } from '../../common/http/endpoint.decorator';
import { OverviewResponse } from './dto/overview.response';
import { StatisticsService } from './statistics.service';

@ApiTags('statistics')
@Controller('api/v1/statistics')
export class StatisticsController {
  constructor(private readonly statistics: StatisticsService) {}

  @Get('overview')
  @Endpoint({
    roles: ['superadmin'],
    summary: 'Platform overview: companies, users, submissions (superadmin)',
    ok: OverviewResponse,
    errors: [401, 403],
  })
  overview(@Ctx() ctx: AuthenticatedContext): Promise<OverviewResponse> {
    return this.statistics.overview(ctx);
  }
}
