import { Body, Controller, Delete, Get, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { Ctx, Roles } from '../../common/auth/decorators';
import { AuthenticatedContext } from '../../common/context/request-context';
import { ApiErrors } from '../../common/http/api-errors';
import { sendPage, TOTAL_COUNT_HEADER } from '../../common/http/pagination';
import { UuidParam } from '../../common/http/uuid-param';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQueryDto } from './dto/list-users-query.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserResponse } from './dto/user.response';
import { UserAdministrationService } from './user-administration.service';


/** Served at /users (first seed) and /api/v1/users. */
@ApiTags('users')
@ApiBearerAuth()
@Controller(['users', 'api/v1/users'])
export class UsersController {
  constructor(private readonly users: UserAdministrationService) {}

  @Get()
  @Roles('superadmin', 'admin')
  @ApiOperation({ summary: 'List users, newest first (admin: own tenant; superadmin: all, tenant_id filter)' })
  @ApiOkResponse({ type: [UserResponse], headers: TOTAL_COUNT_HEADER })
  @ApiErrors(400, 401, 403)
  async list(
    @Ctx() ctx: AuthenticatedContext,
    @Query() query: ListUsersQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<UserResponse[]> {
    return sendPage(res, await this.users.list(ctx, query));
  }

  @Post()
  @Roles('superadmin', 'admin')
  @ApiOperation({
    summary: 'Create a user (admin: admin/proctor/candidate in its own tenant; superadmin: any, default System tenant)',
  })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiErrors(400, 401, 403, 404, 409)
  create(@Ctx() ctx: AuthenticatedContext, @Body() dto: CreateUserDto): Promise<UserResponse> {
    return this.users.create(ctx, dto);
  }

  @Get('by-email/:email')
  @Roles('superadmin', 'admin')
  @ApiOperation({ summary: 'Find a user by e-mail (admin: own tenant)' })
  @ApiParam({ name: 'email', example: 'jane@example.com' })
  @ApiOkResponse({ type: UserResponse })
  @ApiErrors(401, 403, 404)
  getByEmail(@Ctx() ctx: AuthenticatedContext, @Param('email') email: string): Promise<UserResponse> {
    return this.users.getByEmail(ctx, email);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a user (superadmin: any; admin: own tenant; others: only themselves)' })
  @ApiOkResponse({ type: UserResponse })
  @ApiErrors(400, 401, 404)
  get(@Ctx() ctx: AuthenticatedContext, @UuidParam('id') id: string): Promise<UserResponse> {
    return this.users.get(ctx, id);
  }

  @Put(':id')
  @ApiOperation({
    summary: 'Update a user; role changes, deactivation, password resets and tenant moves revoke its sessions',
  })
  @ApiOkResponse({ type: UserResponse })
  @ApiErrors(400, 401, 403, 404, 409)
  update(@Ctx() ctx: AuthenticatedContext, @UuidParam('id') id: string, @Body() dto: UpdateUserDto): Promise<UserResponse> {
    return this.users.update(ctx, id, dto);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Same as PUT: only the fields present are changed' })
  @ApiOkResponse({ type: UserResponse })
  @ApiErrors(400, 401, 403, 404, 409)
  patch(@Ctx() ctx: AuthenticatedContext, @UuidParam('id') id: string, @Body() dto: UpdateUserDto): Promise<UserResponse> {
    return this.users.update(ctx, id, dto);
  }

  @Delete(':id')
  @Roles('superadmin', 'admin')
  @ApiOperation({ summary: 'Deactivate a user and revoke all of its sessions (not yourself)' })
  @ApiOkResponse({ type: UserResponse })
  @ApiErrors(400, 401, 403, 404, 409)
  deactivate(@Ctx() ctx: AuthenticatedContext, @UuidParam('id') id: string): Promise<UserResponse> {
    return this.users.deactivate(ctx, id);
  }
}
