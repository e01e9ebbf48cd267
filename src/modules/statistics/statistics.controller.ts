import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Ctx, Roles } from '../../common/auth/decorators';
import { AuthenticatedContext } from '../../common/context/request-context';
import { ApiErrors } from '../../common/http/api-errors';
import { OverviewResponse } from './dto/overview.response';
import { StatisticsService } from './statistics.service';

@ApiTags('statistics')
@ApiBearerAuth()
@Controller('api/v1/statistics')
export class StatisticsController {
  constructor(private readonly statistics: StatisticsService) {}

  @Get('overview')
  @Roles('superadmin')
  @ApiOperation({ summary: 'Platform overview: companies, users, submissions (superadmin)' })
  @ApiOkResponse({ type: OverviewResponse })
  @ApiErrors(401, 403)
  overview(@Ctx() ctx: AuthenticatedContext): Promise<OverviewResponse> {
    return this.statistics.overview(ctx);
  }
}
