import { Controller, Get, Res } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { Endpoint } from '../../common/http/endpoint.decorator';
import { NoThrottle } from '../../common/throttle/api-throttle';
import { HealthService } from './health.service';

export class RootResponse {
  @ApiProperty({ example: 'Trajectorie API' }) message: string;
  @ApiProperty({ example: '0.1.0' }) version: string;
  @ApiProperty({ example: '/docs' }) docs: string;
  @ApiProperty({ example: '/health' }) health: string;
}

export class HealthResponse {
  @ApiProperty({ enum: ['healthy', 'unhealthy'] }) status: 'healthy' | 'unhealthy';
  @ApiProperty({ enum: ['connected', 'disconnected'] }) database: 'connected' | 'disconnected';
  @ApiProperty({ example: 'postgresql' }) database_type: 'postgresql';
  @ApiPropertyOptional({ enum: ['connected', 'disconnected'], description: 'Only when REDIS_URL is set' })
  redis?: 'connected' | 'disconnected';
}

@ApiTags('system')
@Controller()
export class SystemController {
  constructor(private readonly health: HealthService) {}

  /** `/api/` is the Pre-Interview Test API's root, which its test script calls. */
  @Get(['', 'api'])
  @Endpoint({ roles: 'public', summary: 'Name, version and links (also at /api/)', ok: RootResponse, errors: [] })
  root(): RootResponse {
    return this.health.root();
  }

  /** Load balancers and orchestrators poll it; it is exempt from the API throttle. */
  @NoThrottle()
  @Get('health')
  @Endpoint({
    roles: 'public',
    summary: 'Liveness and database connectivity (503 when the database is unreachable)',
    ok: HealthResponse,
    errors: [],
  })
  @ApiResponse({
    status: 503,
    description: 'Unhealthy: the database (or Redis, when configured) is unreachable',
    schema: {
      allOf: [
        { $ref: getSchemaPath(HealthResponse) },
        { properties: { status: { type: 'string', enum: ['unhealthy'] } } },
      ],
      example: { status: 'unhealthy', database: 'disconnected', database_type: 'postgresql' },
    },
  })
  async check(@Res({ passthrough: true }) res: Response): Promise<HealthResponse> {
    const report = await this.health.check();
    if (report.status !== 'healthy') res.status(503);
    return report;
  }
}
