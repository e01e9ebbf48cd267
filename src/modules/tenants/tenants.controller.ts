import { Body, Controller, Delete, Get, Post, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../common/auth/decorators';
import { AuthenticatedContext } from '../../common/context/request-context';
import { Endpoint, pageOf } from '../../common/http/endpoint.decorator';
import { Page } from '../../common/http/pagination';
import { UuidParam } from '../../common/http/uuid-param';
import { CreateUserDto, ListUsersQueryDto, UserResponse } from '../users';
import { CreateTenantDto } from './dto/create-tenant.dto';
import { ListTenantsQueryDto } from './dto/list-tenants-query.dto';
import { TenantResponse, TenantStatisticsResponse } from './dto/tenant.response';
import { UpdateTenantDto } from './dto/update-tenant.dto';
import { TenantsService } from './tenants.service';

@ApiTags('tenants')
@Controller('api/v1/tenants')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Get()
  @Endpoint({
    roles: ['superadmin'],
    summary: 'List tenants, newest first (superadmin)',
    ok: pageOf(TenantResponse),
    errors: [400, 401, 403],
  })
  list(@Ctx() ctx: AuthenticatedContext, @Query() query: ListTenantsQueryDto): Promise<Page<TenantResponse>> {
    return this.tenants.list(ctx, query);
  }

  @Post()
  @Endpoint({
    roles: ['superadmin'],
    summary: 'Create a tenant (superadmin); the name is unique, case-insensitively',
    ok: TenantResponse,
    okStatus: 201,
    errors: [400, 401, 403, 409],
  })
  create(@Ctx() ctx: AuthenticatedContext, @Body() dto: CreateTenantDto): Promise<TenantResponse> {
    return this.tenants.create(ctx, dto);
  }

  @Get(':id')
  @Endpoint({
    roles: ['superadmin', 'admin'],
    summary: 'Get a tenant (superadmin: any; admin: its own)',
    ok: TenantResponse,
    errors: [400, 401, 403, 404],
  })
  get(@Ctx() ctx: AuthenticatedContext, @UuidParam('id') id: string): Promise<TenantResponse> {
    return this.tenants.get(ctx, id);
  }

  @Put(':id')
  @Endpoint({
    roles: ['superadmin'],
    summary: 'Update typed tenant fields (superadmin)',
    ok: TenantResponse,
    errors: [400, 401, 403, 404, 409],
  })
  update(
    @Ctx() ctx: AuthenticatedContext,
    @UuidParam('id') id: string,
    @Body() dto: UpdateTenantDto,
  ): Promise<TenantResponse> {
    return this.tenants.update(ctx, id, dto);
  }

  @Delete(':id')
  @Endpoint({
    roles: ['superadmin'],
    summary: "Deactivate a tenant (superadmin); its users' tokens stop working. Not the System tenant",
    ok: TenantResponse,
    errors: [400, 401, 403, 404, 409],
  })
  deactivate(@Ctx() ctx: AuthenticatedContext, @UuidParam('id') id: string): Promise<TenantResponse> {
    return this.tenants.deactivate(ctx, id);
  }

  @Get(':id/users')
  @Endpoint({
    roles: ['superadmin', 'admin'],
    summary: "List a tenant's users (superadmin: any tenant; admin: its own)",
    ok: pageOf(UserResponse),
    errors: [400, 401, 403, 404],
  })
  listUsers(
    @Ctx() ctx: AuthenticatedContext,
    @UuidParam('id') id: string,
    @Query() query: ListUsersQueryDto,
  ): Promise<Page<UserResponse>> {
    return this.tenants.listUsers(ctx, id, query);
  }

  @Post(':id/users')
  @Endpoint({
    roles: ['superadmin', 'admin'],
    summary: 'Create a user in the tenant (same rules as POST /api/v1/users)',
    ok: UserResponse,
    okStatus: 201,
    errors: [400, 401, 403, 404, 409],
  })
  createUser(
    @Ctx() ctx: AuthenticatedContext,
    @UuidParam('id') id: string,
    @Body() dto: CreateUserDto,
  ): Promise<UserResponse> {
    return this.tenants.createUser(ctx, id, dto);
  }

  @Get(':id/statistics')
  @Endpoint({
    roles: ['superadmin', 'admin'],
    summary: "A tenant's user and submission counts (superadmin: any tenant; admin: its own)",
    ok: TenantStatisticsResponse,
    errors: [400, 401, 403, 404],
  })
  statistics(@Ctx() ctx: AuthenticatedContext, @UuidParam('id') id: string): Promise<TenantStatisticsResponse> {
    return this.tenants.statistics(ctx, id);
  }
}
