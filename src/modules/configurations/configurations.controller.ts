import { Body, Controller, Delete, Get, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Ctx, Roles } from '../../common/auth/decorators';
import { AuthenticatedContext } from '../../common/context/request-context';
import { ApiErrors } from '../../common/http/api-errors';
import { sendPage, TOTAL_COUNT_HEADER } from '../../common/http/pagination';
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
const EffectiveResponse = (description: string) =>
  ApiOkResponse({
    description,
    schema: { nullable: true, allOf: [{ $ref: getSchemaPath(ConfigurationResponse) }] },
  });

/**
 * The fixed paths (/sjt, /jdt, /global, /type/…) are declared before `/:id`: Express matches in declaration order,
 * and the original declared them after, so they were never reached.
 */
@ApiTags('configurations')
@ApiBearerAuth()
@ApiExtraModels(ConfigurationResponse)
@Controller('api/v1/configurations')
export class ConfigurationsController {
  constructor(private readonly configurations: ConfigurationsService) {}

  @Get()
  @Roles('superadmin', 'admin')
  @ApiOperation({ summary: 'List configurations, newest first (admin: own tenant + system; superadmin: all). Active only unless include_inactive' })
  @ApiOkResponse({ type: [ConfigurationResponse], headers: TOTAL_COUNT_HEADER })
  @ApiErrors(400, 401, 403)
  async list(
    @Ctx() ctx: AuthenticatedContext,
    @Query() query: ListConfigurationsQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ConfigurationResponse[]> {
    return sendPage(res, await this.configurations.list(ctx, query));
  }

  @Post()
  @Roles('superadmin', 'admin')
  @ApiOperation({
    summary: 'Save a configuration as its next version (admin: own tenant; superadmin: system by default, or tenant_id)',
  })
  @ApiCreatedResponse({ type: ConfigurationResponse })
  @ApiErrors(400, 401, 403, 404, 413)
  create(@Ctx() ctx: AuthenticatedContext, @Body() dto: CreateConfigurationDto): Promise<ConfigurationResponse> {
    return this.configurations.create(ctx, dto);
  }

  @Get('sjt')
  @ApiOperation({ summary: 'The SJT configuration in force (same as GET /type/sjt)' })
  @EffectiveResponse('The tenant\'s active SJT configuration, else the system one, else null. Candidate-safe for proctors and candidates')
  @ApiErrors(400, 401, 403)
  getSjt(@Ctx() ctx: AuthenticatedContext, @Query() query: EffectiveConfigQueryDto, @Res() res: Response): Promise<void> {
    return this.sendEffective(ctx, 'sjt', query, res);
  }

  @Get('jdt')
  @ApiOperation({ summary: 'The JDT configuration in force (same as GET /type/jdt)' })
  @EffectiveResponse('The tenant\'s active JDT configuration, else the system one, else null. Candidate-safe for proctors and candidates')
  @ApiErrors(400, 401, 403)
  getJdt(@Ctx() ctx: AuthenticatedContext, @Query() query: EffectiveConfigQueryDto, @Res() res: Response): Promise<void> {
    return this.sendEffective(ctx, 'jdt', query, res);
  }

  @Get('global')
  @ApiOperation({ summary: 'The global configuration in force (same as GET /type/global)' })
  @EffectiveResponse('The tenant\'s active global configuration, else the system one, else null')
  @ApiErrors(400, 401, 403)
  getGlobal(@Ctx() ctx: AuthenticatedContext, @Query() query: EffectiveConfigQueryDto, @Res() res: Response): Promise<void> {
    return this.sendEffective(ctx, 'global', query, res);
  }

  @Post('sjt')
  @Roles('superadmin', 'admin')
  @ApiOperation({ summary: 'Save an SJT configuration; the body is the configuration itself' })
  @ApiBody(RAW_BODY)
  @ApiCreatedResponse({ type: ConfigurationResponse })
  @ApiErrors(400, 401, 403, 404, 413)
  saveSjt(@Ctx() ctx: AuthenticatedContext, @Body() body: Record<string, unknown>, @Query() query: ConfigTargetQueryDto): Promise<ConfigurationResponse> {
    return this.configurations.createFromBody(ctx, 'sjt', body, query);
  }

  @Post('jdt')
  @Roles('superadmin', 'admin')
  @ApiOperation({ summary: 'Save a JDT configuration; the body is the configuration itself' })
  @ApiBody(RAW_BODY)
  @ApiCreatedResponse({ type: ConfigurationResponse })
  @ApiErrors(400, 401, 403, 404, 413)
  saveJdt(@Ctx() ctx: AuthenticatedContext, @Body() body: Record<string, unknown>, @Query() query: ConfigTargetQueryDto): Promise<ConfigurationResponse> {
    return this.configurations.createFromBody(ctx, 'jdt', body, query);
  }

  @Post('global')
  @Roles('superadmin', 'admin')
  @ApiOperation({ summary: 'Save a global configuration; the body is the configuration itself' })
  @ApiBody(RAW_BODY)
  @ApiCreatedResponse({ type: ConfigurationResponse })
  @ApiErrors(400, 401, 403, 404, 413)
  saveGlobal(@Ctx() ctx: AuthenticatedContext, @Body() body: Record<string, unknown>, @Query() query: ConfigTargetQueryDto): Promise<ConfigurationResponse> {
    return this.configurations.createFromBody(ctx, 'global', body, query);
  }

  @Get('type/:type')
  @ApiOperation({ summary: "The configuration in force: the tenant's active one, else the system one, else null" })
  @ApiParam({ name: 'type', enum: CONFIG_TYPES })
  @EffectiveResponse('A configuration or null. Candidate-safe for proctors and candidates')
  @ApiErrors(400, 401, 403)
  getEffective(
    @Ctx() ctx: AuthenticatedContext,
    @ConfigTypeParam() type: ConfigType,
    @Query() query: EffectiveConfigQueryDto,
    @Res() res: Response,
  ): Promise<void> {
    return this.sendEffective(ctx, type, query, res);
  }

  @Get('type/:type/versions')
  @Roles('superadmin', 'admin')
  @ApiOperation({ summary: 'Every version of one (tenant or system, type), newest first' })
  @ApiParam({ name: 'type', enum: CONFIG_TYPES })
  @ApiOkResponse({ type: [ConfigurationResponse], headers: TOTAL_COUNT_HEADER })
  @ApiErrors(400, 401, 403)
  async versions(
    @Ctx() ctx: AuthenticatedContext,
    @ConfigTypeParam() type: ConfigType,
    @Query() query: ConfigVersionsQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ConfigurationResponse[]> {
    return sendPage(res, await this.configurations.versions(ctx, type, query));
  }

  @Get(':id')
  @ApiOperation({
    summary: "Get a configuration (admin: own tenant's or system; proctor/candidate: active ones, candidate-safe view)",
  })
  @ApiOkResponse({ type: ConfigurationResponse })
  @ApiErrors(400, 401, 404)
  get(@Ctx() ctx: AuthenticatedContext, @UuidParam('id') id: string): Promise<ConfigurationResponse> {
    return this.configurations.get(ctx, id);
  }

  @Put(':id')
  @Roles('superadmin', 'admin')
  @ApiOperation({ summary: "Save new data for that configuration's (tenant or system, type): a new active version" })
  @ApiOkResponse({ type: ConfigurationResponse })
  @ApiErrors(400, 401, 403, 404, 413)
  update(
    @Ctx() ctx: AuthenticatedContext,
    @UuidParam('id') id: string,
    @Body() dto: UpdateConfigurationDto,
  ): Promise<ConfigurationResponse> {
    return this.configurations.update(ctx, id, dto);
  }

  @Delete(':id')
  @Roles('superadmin', 'admin')
  @ApiOperation({ summary: 'Deactivate a configuration version (the type then falls back to the system one)' })
  @ApiOkResponse({ type: ConfigurationResponse })
  @ApiErrors(400, 401, 403, 404)
  deactivate(@Ctx() ctx: AuthenticatedContext, @UuidParam('id') id: string): Promise<ConfigurationResponse> {
    return this.configurations.deactivate(ctx, id);
  }

  /** Written directly: Nest sends an empty body for a null result, and the contract is the JSON literal `null`. */
  private async sendEffective(ctx: AuthenticatedContext, type: ConfigType, query: EffectiveConfigQueryDto, res: Response): Promise<void> {
    res.status(200).json(await this.configurations.effective(ctx, type, query));
  }
}
