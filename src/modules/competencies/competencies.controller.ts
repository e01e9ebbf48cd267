import { Body, Controller, Delete, Get, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Ctx, Roles } from '../../common/auth/decorators';
import { AuthenticatedContext } from '../../common/context/request-context';
import { ApiErrors } from '../../common/http/api-errors';
import { sendPage, TOTAL_COUNT_HEADER } from '../../common/http/pagination';
import { CompetenciesService } from './competencies.service';
import { CompetencyCodeParam } from './competency-code.pipe';
import { CreateCompetencyDto } from './dto/create-competency.dto';
import { CompetencyLookupQueryDto, DeleteCompetencyQueryDto, ListCompetenciesQueryDto } from './dto/competency-queries.dto';
import { CompetencyResponse } from './dto/competency.response';
import { UpdateCompetencyDto } from './dto/update-competency.dto';

const CODE_PARAM = { name: 'code', description: 'The competency code, matched case-insensitively in one tenant', example: 'CUST_FOCUS' };

@ApiTags('competencies')
@ApiBearerAuth()
@Controller('api/v1/competencies')
export class CompetenciesController {
  constructor(private readonly competencies: CompetenciesService) {}

  @Get()
  @ApiOperation({
    summary: "List the competency dictionary by code (superadmin: all tenants or tenant_id; others: own tenant; proctors and candidates: active only)",
  })
  @ApiOkResponse({ type: [CompetencyResponse], headers: TOTAL_COUNT_HEADER })
  @ApiErrors(400, 401)
  async list(
    @Ctx() ctx: AuthenticatedContext,
    @Query() query: ListCompetenciesQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<CompetencyResponse[]> {
    return sendPage(res, await this.competencies.list(ctx, query));
  }

  @Post()
  @Roles('superadmin', 'admin')
  @ApiOperation({ summary: 'Add a competency (admin: own tenant; superadmin: tenant_id, default System). Codes are unique case-insensitively' })
  @ApiCreatedResponse({ type: CompetencyResponse })
  @ApiErrors(400, 401, 403, 404, 409)
  create(@Ctx() ctx: AuthenticatedContext, @Body() dto: CreateCompetencyDto): Promise<CompetencyResponse> {
    return this.competencies.create(ctx, dto);
  }

  @Get(':code')
  @ApiOperation({ summary: "Get a competency of the caller's tenant by code (superadmin: ?tenant_id=, default System)" })
  @ApiParam(CODE_PARAM)
  @ApiOkResponse({ type: CompetencyResponse })
  @ApiErrors(400, 401, 404)
  get(
    @Ctx() ctx: AuthenticatedContext,
    @CompetencyCodeParam() code: string,
    @Query() query: CompetencyLookupQueryDto,
  ): Promise<CompetencyResponse> {
    return this.competencies.get(ctx, code, query);
  }

  @Put(':code')
  @Roles('superadmin', 'admin')
  @ApiOperation({ summary: 'Update a competency by code; absent fields are unchanged' })
  @ApiParam(CODE_PARAM)
  @ApiOkResponse({ type: CompetencyResponse })
  @ApiErrors(400, 401, 403, 404, 409)
  update(
    @Ctx() ctx: AuthenticatedContext,
    @CompetencyCodeParam() code: string,
    @Body() dto: UpdateCompetencyDto,
    @Query() query: CompetencyLookupQueryDto,
  ): Promise<CompetencyResponse> {
    return this.competencies.update(ctx, code, dto, query);
  }

  @Delete(':code')
  @Roles('superadmin', 'admin')
  @ApiOperation({ summary: 'Deactivate a competency by code, or delete it with ?hard=true' })
  @ApiParam(CODE_PARAM)
  @ApiOkResponse({ type: CompetencyResponse, description: 'The entry as left (deactivated), or as it was before a hard delete' })
  @ApiErrors(400, 401, 403, 404)
  remove(
    @Ctx() ctx: AuthenticatedContext,
    @CompetencyCodeParam() code: string,
    @Query() query: DeleteCompetencyQueryDto,
  ): Promise<CompetencyResponse> {
    return this.competencies.remove(ctx, code, query);
  }
}
