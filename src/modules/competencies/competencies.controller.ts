import { Body, Controller, Delete, Get, Post, Put, Query } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../common/auth/decorators';
import { AuthenticatedContext } from '../../common/context/request-context';
import { Endpoint, pageOf } from '../../common/http/endpoint.decorator';
import { Page } from '../../common/http/pagination';
import { CompetenciesService } from './competencies.service';
import { CompetencyCodeParam } from './competency-code.pipe';
import { CreateCompetencyDto } from './dto/create-competency.dto';
import {
  CompetencyLookupQueryDto,
  DeleteCompetencyQueryDto,
  ListCompetenciesQueryDto,
} from './dto/competency-queries.dto';
import { CompetencyResponse } from './dto/competency.response';
import { UpdateCompetencyDto } from './dto/update-competency.dto';

const CODE_PARAM = {
  name: 'code',
  description: 'The competency code, matched case-insensitively in one tenant',
  example: 'CUST_FOCUS',
};

@ApiTags('competencies')
@Controller('api/v1/competencies')
export class CompetenciesController {
  constructor(private readonly competencies: CompetenciesService) {}

  @Get()
  @Endpoint({
    roles: 'any',
    summary:
      'List the competency dictionary by code (superadmin: all tenants or tenant_id; others: own tenant; proctors and candidates: active only)',
    ok: pageOf(CompetencyResponse),
    errors: [400, 401],
  })
  list(@Ctx() ctx: AuthenticatedContext, @Query() query: ListCompetenciesQueryDto): Promise<Page<CompetencyResponse>> {
    return this.competencies.list(ctx, query);
  }

  @Post()
  @Endpoint({
    roles: ['superadmin', 'admin'],
    summary:
      'Add a competency (admin: own tenant; superadmin: tenant_id, default System). Codes are unique case-insensitively',
    ok: CompetencyResponse,
    okStatus: 201,
    errors: [400, 401, 403, 404, 409],
  })
  create(@Ctx() ctx: AuthenticatedContext, @Body() dto: CreateCompetencyDto): Promise<CompetencyResponse> {
    return this.competencies.create(ctx, dto);
  }

  @Get(':code')
  @Endpoint({
    roles: 'any',
    summary: "Get a competency of the caller's tenant by code (superadmin: ?tenant_id=, default System)",
    ok: CompetencyResponse,
    errors: [400, 401, 404],
  })
  @ApiParam(CODE_PARAM)
  get(
    @Ctx() ctx: AuthenticatedContext,
    @CompetencyCodeParam() code: string,
    @Query() query: CompetencyLookupQueryDto,
  ): Promise<CompetencyResponse> {
    return this.competencies.get(ctx, code, query);
  }

  @Put(':code')
  @Endpoint({
    roles: ['superadmin', 'admin'],
    summary: 'Update a competency by code; absent fields are unchanged',
    ok: CompetencyResponse,
    errors: [400, 401, 403, 404, 409],
  })
  @ApiParam(CODE_PARAM)
  update(
    @Ctx() ctx: AuthenticatedContext,
    @CompetencyCodeParam() code: string,
    @Body() dto: UpdateCompetencyDto,
    @Query() query: CompetencyLookupQueryDto,
  ): Promise<CompetencyResponse> {
    return this.competencies.update(ctx, code, dto, query);
  }

  @Delete(':code')
  @Endpoint({
    roles: ['superadmin', 'admin'],
    summary: 'Deactivate a competency by code, or delete it with ?hard=true',
    ok: { type: CompetencyResponse, description: 'The entry as left (deactivated), or as it was before a hard delete' },
    errors: [400, 401, 403, 404],
  })
  @ApiParam(CODE_PARAM)
  remove(
    @Ctx() ctx: AuthenticatedContext,
    @CompetencyCodeParam() code: string,
    @Query() query: DeleteCompetencyQueryDto,
  ): Promise<CompetencyResponse> {
    return this.competencies.remove(ctx, code, query);
  }
}
