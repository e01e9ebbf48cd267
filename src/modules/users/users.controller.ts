import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../common/auth/decorators';
import { AuthenticatedContext } from '../../common/context/request-context';
import { Endpoint, pageOf } from '../../common/http/endpoint.decorator';
import { Page } from '../../common/http/pagination';
import { UuidParam } from '../../common/http/uuid-param';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQueryDto } from './dto/list-users-query.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserResponse } from './dto/user.response';
import { UserAdministrationService } from './user-administration.service';

/** Served at /users (the original Trajectorie API) and /api/v1/users. */
@ApiTags('users')
@Controller(['users', 'api/v1/users'])
export class UsersController {
  constructor(private readonly users: UserAdministrationService) {}

  @Get()
  @Endpoint({
    roles: ['superadmin', 'admin'],
    summary: 'List users, newest first (admin: own tenant; superadmin: all, tenant_id filter)',
    ok: pageOf(UserResponse),
    errors: [400, 401, 403],
  })
  list(@Ctx() ctx: AuthenticatedContext, @Query() query: ListUsersQueryDto): Promise<Page<UserResponse>> {
    return this.users.list(ctx, query);
  }

  @Post()
  @Endpoint({
    roles: ['superadmin', 'admin'],
    summary: 'Create a user (admin: admin/proctor/candidate in its own tenant; superadmin: any, default System tenant)',
    ok: UserResponse,
    okStatus: 201,
    errors: [400, 401, 403, 404, 409],
  })
  create(@Ctx() ctx: AuthenticatedContext, @Body() dto: CreateUserDto): Promise<UserResponse> {
    return this.users.create(ctx, dto);
  }

  @Get('by-email/:email')
  @Endpoint({
    roles: ['superadmin', 'admin'],
    summary: 'Find a user by e-mail (admin: own tenant)',
    ok: UserResponse,
    errors: [401, 403, 404],
  })
  @ApiParam({ name: 'email', example: 'jane@example.com' })
  getByEmail(@Ctx() ctx: AuthenticatedContext, @Param('email') email: string): Promise<UserResponse> {
    return this.users.getByEmail(ctx, email);
  }

  @Get(':id')
  @Endpoint({
    roles: 'any',
    summary: 'Get a user (superadmin: any; admin: own tenant; others: only themselves)',
    ok: UserResponse,
    errors: [400, 401, 404],
  })
  get(@Ctx() ctx: AuthenticatedContext, @UuidParam('id') id: string): Promise<UserResponse> {
    return this.users.get(ctx, id);
  }

  @Put(':id')
  @Endpoint({
    roles: 'any',
    summary: 'Update a user; role changes, deactivation, password resets and tenant moves revoke its sessions',
    ok: UserResponse,
    errors: [400, 401, 403, 404, 409],
  })
  update(
    @Ctx() ctx: AuthenticatedContext,
    @UuidParam('id') id: string,
    @Body() dto: UpdateUserDto,
  ): Promise<UserResponse> {
    return this.users.update(ctx, id, dto);
  }

  @Patch(':id')
  @Endpoint({
    roles: 'any',
    summary: 'Same as PUT: only the fields present are changed',
    ok: UserResponse,
    errors: [400, 401, 403, 404, 409],
  })
  patch(
    @Ctx() ctx: AuthenticatedContext,
    @UuidParam('id') id: string,
    @Body() dto: UpdateUserDto,
  ): Promise<UserResponse> {
    return this.users.update(ctx, id, dto);
  }

  @Delete(':id')
  @Endpoint({
    roles: ['superadmin', 'admin'],
    summary: 'Deactivate a user and revoke all of its sessions (not yourself)',
    ok: UserResponse,
    errors: [400, 401, 403, 404, 409],
  })
  deactivate(@Ctx() ctx: AuthenticatedContext, @UuidParam('id') id: string): Promise<UserResponse> {
    return this.users.deactivate(ctx, id);
  }
}
