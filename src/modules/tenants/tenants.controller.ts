import { Body, Controller, Delete, Get, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Ctx, Roles } from '../../common/auth/decorators';
import { AuthenticatedContext } from '../../common/context/request-context';
import { ApiErrors } from '../../common/http/api-errors';
import { sendPage, TOTAL_COUNT_HEADER } from '../../common/http/pagination';
import { UuidParam } from '../../common/http/uuid-param';
import { CreateUserDto, ListUsersQueryDto, UserResponse } from '../users';
import { CreateTenantDto } from './dto/create-tenant.dto';
import { ListTenantsQueryDto } from './dto/list-tenants-query.dto';
import { TenantResponse, TenantStatisticsResponse } from './dto/tenant.response';
import { UpdateTenantDto } from './dto/update-tenant.dto';
import { TenantsService } from './tenants.service';


@ApiTags('tenants')
@ApiBearerAuth()
@Controller('api/v1/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Get()
  @Roles('superadmin')
  @ApiOperation({ summary: 'List tenants, newest first (superadmin)' })
  @ApiOkResponse({ type: [TenantResponse], headers: TOTAL_COUNT_HEADER })
  @ApiErrors(400, 401, 403)
  async list(
    @Ctx() ctx: AuthenticatedContext,
    @Query() query: ListTenantsQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TenantResponse[]> {
    return sendPage(res, await this.tenants.list(ctx, query));
  }

  @Post()
  @Roles('superadmin')
  @ApiOperation({ summary: 'Create a tenant (superadmin); the name is unique, case-insensitively' })
  @ApiCreatedResponse({ type: TenantResponse })
  @ApiErrors(400, 401, 403, 409)
  create(@Ctx() ctx: AuthenticatedContext, @Body() dto: CreateTenantDto): Promise<TenantResponse> {
    return this.tenants.create(ctx, dto);
  }

  @Get(':id')
  @Roles('superadmin', 'admin')
  @ApiOperation({ summary: 'Get a tenant (superadmin: any; admin: its own)' })
  @ApiOkResponse({ type: TenantResponse })
  @ApiErrors(400, 401, 403, 404)
  get(@Ctx() ctx: AuthenticatedContext, @UuidParam('id') id: string): Promise<TenantResponse> {
    return this.tenants.get(ctx, id);
  }

  @Put(':id')
  @Roles('superadmin')
  @ApiOperation({ summary: 'Update typed tenant fields (superadmin)' })
  @ApiOkResponse({ type: TenantResponse })
  @ApiErrors(400, 401, 403, 404, 409)
  update(@Ctx() ctx: AuthenticatedContext, @UuidParam('id') id: string, @Body() dto: UpdateTenantDto): Promise<TenantResponse> {
    return this.tenants.update(ctx, id, dto);
  }

  @Delete(':id')
  @Roles('superadmin')
  @ApiOperation({ summary: "Deactivate a tenant (superadmin); its users' tokens stop working. Not the System tenant" })
  @ApiOkResponse({ type: TenantResponse })
  @ApiErrors(400, 401, 403, 404, 409)
  deactivate(@Ctx() ctx: AuthenticatedContext, @UuidParam('id') id: string): Promise<TenantResponse> {
    return this.tenants.deactivate(ctx, id);
  }

  @Get(':id/users')
  @Roles('superadmin', 'admin')
  @ApiOperation({ summary: "List a tenant's users (superadmin: any tenant; admin: its own)" })
  @ApiOkResponse({ type: [UserResponse], headers: TOTAL_COUNT_HEADER })
  @ApiErrors(400, 401, 403, 404)
  async listUsers(
    @Ctx() ctx: AuthenticatedContext,
    @UuidParam('id') id: string,
    @Query() query: ListUsersQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<UserResponse[]> {
    return sendPage(res, await this.tenants.listUsers(ctx, id, query));
  }

  @Post(':id/users')
  @Roles('superadmin', 'admin')
  @ApiOperation({ summary: 'Create a user in the tenant (same rules as POST /api/v1/users)' })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiErrors(400, 401, 403, 404, 409)
  createUser(@Ctx() ctx: AuthenticatedContext, @UuidParam('id') id: string, @Body() dto: CreateUserDto): Promise<UserResponse> {
    return this.tenants.createUser(ctx, id, dto);
  }

  @Get(':id/statistics')
  @Roles('superadmin', 'admin')
  @ApiOperation({ summary: "A tenant's user and submission counts (superadmin: any tenant; admin: its own)" })
  @ApiOkResponse({ type: TenantStatisticsResponse })
  @ApiErrors(400, 401, 403, 404)
  statistics(@Ctx() ctx: AuthenticatedContext, @UuidParam('id') id: string): Promise<TenantStatisticsResponse> {
    return this.tenants.statistics(ctx, id);
  }
}
