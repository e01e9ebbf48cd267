import { Body, Controller, Delete, Get, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBody, ApiExtraModels, ApiParam, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { Ctx } from '../../common/auth/decorators';
import { AuthenticatedContext } from '../../common/context/request-context';
import { Endpoint, pageOf } from '../../common/http/endpoint.decorator';
import { Page } from '../../common/http/pagination';
import { UuidParam } from '../../common/http/uuid-param';
import { CONFIG_TYPES, ConfigType } from './config-shape';
import { ConfigTypeParam } from './config-type.pipe';
import { ConfigurationsService } from './configurations.service';
import { CreateConfigurationDto } from './dto/create-configuration.dto';
import {
  ConfigTargetQueryDto,
  ConfigVersionsQueryDto,
  EffectiveConfigQueryDto,
  ListConfigurationsQueryDto,
} from './dto/configuration-queries.dto';
import { ConfigurationResponse } from './dto/configuration.response';
import { UpdateConfigurationDto } from './dto/update-configuration.dto';

const RAW_BODY = {
  schema: { type: 'object', additionalProperties: true },
  description: 'The configuration object itself (stored as config_data), at most 512 KB of JSON',
} as const;

/** 200 with a configuration, or the JSON literal `null` when none is in force. */
const effectiveResponse = (description: string) => ({
  description,
  schema: { type: 'object' as const, nullable: true, allOf: [{ $ref: getSchemaPath(ConfigurationResponse) }] },
});

/**
 * The fixed paths (/sjt, /jdt, /global, /type/…) are declared before `/:id`: Express matches in declaration order,
 * and the original declared them after, so they were never reached.
 */
@ApiTags('configurations')
@ApiExtraModels(ConfigurationResponse)
@Controller('api/v1/configurations')
export class ConfigurationsController {
  constructor(private readonly configurations: ConfigurationsService) {}

  @Get()
  @Endpoint({
    roles: ['superadmin', 'admin'],
    summary:
      'List configurations, newest first (admin: own tenant + system; superadmin: all). Active only unless include_inactive',
    ok: pageOf(ConfigurationResponse),
    errors: [400, 401, 403],
  })
  list(
    @Ctx() ctx: AuthenticatedContext,
    @Query() query: ListConfigurationsQueryDto,
  ): Promise<Page<ConfigurationResponse>> {
    return this.configurations.list(ctx, query);
  }

  @Post()
  @Endpoint({
    roles: ['superadmin', 'admin'],
    summary:
      'Save a configuration as its next version (admin: own tenant; superadmin: system by default, or tenant_id)',
    ok: ConfigurationResponse,
    okStatus: 201,
    errors: [400, 401, 403, 404, 413],
  })
  create(@Ctx() ctx: AuthenticatedContext, @Body() dto: CreateConfigurationDto): Promise<ConfigurationResponse> {
    return this.configurations.create(ctx, dto);
  }

  @Get('sjt')
  @Endpoint({
    roles: 'any',
    summary: 'The SJT configuration in force (same as GET /type/sjt)',
    ok: effectiveResponse(
      "The tenant's active SJT configuration, else the system one, else null. Candidate-safe for proctors and candidates",
    ),
    errors: [400, 401, 403],
  })
  getSjt(
    @Ctx() ctx: AuthenticatedContext,
    @Query() query: EffectiveConfigQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    return this.sendEffective(ctx, 'sjt', query, res);
  }

  @Get('jdt')
  @Endpoint({
    roles: 'any',
    summary: 'The JDT configuration in force (same as GET /type/jdt)',
    ok: effectiveResponse(
      "The tenant's active JDT configuration, else the system one, else null. Candidate-safe for proctors and candidates",
    ),
    errors: [400, 401, 403],
  })
  getJdt(
    @Ctx() ctx: AuthenticatedContext,
    @Query() query: EffectiveConfigQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    return this.sendEffective(ctx, 'jdt', query, res);
  }

  @Get('global')
  @Endpoint({
    roles: 'any',
    summary: 'The global configuration in force (same as GET /type/global)',
    ok: effectiveResponse("The tenant's active global configuration, else the system one, else null"),
    errors: [400, 401, 403],
  })
  getGlobal(
    @Ctx() ctx: AuthenticatedContext,
    @Query() query: EffectiveConfigQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    return this.sendEffective(ctx, 'global', query, res);
  }

  @Post('sjt')
  @Endpoint({
    roles: ['superadmin', 'admin'],
    summary: 'Save an SJT configuration; the body is the configuration itself',
    ok: ConfigurationResponse,
    okStatus: 201,
    errors: [400, 401, 403, 404, 413],
  })
  @ApiBody(RAW_BODY)
  saveSjt(
    @Ctx() ctx: AuthenticatedContext,
    @Body() body: Record<string, unknown>,
    @Query() query: ConfigTargetQueryDto,
  ): Promise<ConfigurationResponse> {
    return this.configurations.createFromBody(ctx, 'sjt', body, query);
  }

  @Post('jdt')
  @Endpoint({
    roles: ['superadmin', 'admin'],
    summary: 'Save a JDT configuration; the body is the configuration itself',
    ok: ConfigurationResponse,
    okStatus: 201,
    errors: [400, 401, 403, 404, 413],
  })
  @ApiBody(RAW_BODY)
  saveJdt(
    @Ctx() ctx: AuthenticatedContext,
    @Body() body: Record<string, unknown>,
    @Query() query: ConfigTargetQueryDto,
  ): Promise<ConfigurationResponse> {
    return this.configurations.createFromBody(ctx, 'jdt', body, query);
  }

  @Post('global')
  @Endpoint({
    roles: ['superadmin', 'admin'],
    summary: 'Save a global configuration; the body is the configuration itself',
    ok: ConfigurationResponse,
    okStatus: 201,
    errors: [400, 401, 403, 404, 413],
  })
  @ApiBody(RAW_BODY)
  saveGlobal(
    @Ctx() ctx: AuthenticatedContext,
    @Body() body: Record<string, unknown>,
    @Query() query: ConfigTargetQueryDto,
  ): Promise<ConfigurationResponse> {
    return this.configurations.createFromBody(ctx, 'global', body, query);
  }

  @Get('type/:type')
  @Endpoint({
    roles: 'any',
    summary: "The configuration in force: the tenant's active one, else the system one, else null",
    ok: effectiveResponse('A configuration or null. Candidate-safe for proctors and candidates'),
    errors: [400, 401, 403],
  })
  @ApiParam({ name: 'type', enum: CONFIG_TYPES })
  getEffective(
    @Ctx() ctx: AuthenticatedContext,
    @ConfigTypeParam() type: ConfigType,
    @Query() query: EffectiveConfigQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    return this.sendEffective(ctx, type, query, res);
  }

  @Get('type/:type/versions')
  @Endpoint({
    roles: ['superadmin', 'admin'],
    summary: 'Every version of one (tenant or system, type), newest first',
    ok: pageOf(ConfigurationResponse),
    errors: [400, 401, 403],
  })
  @ApiParam({ name: 'type', enum: CONFIG_TYPES })
  versions(
    @Ctx() ctx: AuthenticatedContext,
    @ConfigTypeParam() type: ConfigType,
    @Query() query: ConfigVersionsQueryDto,
  ): Promise<Page<ConfigurationResponse>> {
    return this.configurations.versions(ctx, type, query);
  }

  @Get(':id')
  @Endpoint({
    roles: 'any',
    summary: "Get a configuration (admin: own tenant's or system; proctor/candidate: active ones, candidate-safe view)",
    ok: ConfigurationResponse,
    errors: [400, 401, 404],
  })
  get(@Ctx() ctx: AuthenticatedContext, @UuidParam('id') id: string): Promise<ConfigurationResponse> {
    return this.configurations.get(ctx, id);
  }

  @Put(':id')
  @Endpoint({
    roles: ['superadmin', 'admin'],
    summary: "Save new data for that configuration's (tenant or system, type): a new active version",
    ok: ConfigurationResponse,
    errors: [400, 401, 403, 404, 413],
  })
  update(
    @Ctx() ctx: AuthenticatedContext,
    @UuidParam('id') id: string,
    @Body() dto: UpdateConfigurationDto,
  ): Promise<ConfigurationResponse> {
    return this.configurations.update(ctx, id, dto);
  }

  @Delete(':id')
  @Endpoint({
    roles: ['superadmin', 'admin'],
    summary: 'Deactivate a configuration version (the type then falls back to the system one)',
    ok: ConfigurationResponse,
    errors: [400, 401, 403, 404],
  })
  deactivate(@Ctx() ctx: AuthenticatedContext, @UuidParam('id') id: string): Promise<ConfigurationResponse> {
    return this.configurations.deactivate(ctx, id);
  }

  /** Written directly: Nest sends an empty body for a null result, and the contract is the JSON literal `null`. */
  private async sendEffective(
    ctx: AuthenticatedContext,
    type: ConfigType,
    query: EffectiveConfigQueryDto,
    res: Response,
  ): Promise<void> {
    res.status(200).json(await this.configurations.effective(ctx, type, query));
  }
}
