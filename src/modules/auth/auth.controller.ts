import { Body, Controller, Delete, Get, Post } from '@nestjs/common';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../common/auth/decorators';
import { AuthenticatedContext, RequestContext } from '../../common/context/request-context';
import { Endpoint } from '../../common/http/endpoint.decorator';
import { UuidParam } from '../../common/http/uuid-param';
import { RateLimit } from '../../common/rate-limit/rate-limit.guard';
import { UserResponse } from '../users';
import { AuthService } from './auth.service';
import {
  ChangePasswordDto,
  LoginDto,
  LoginResponse,
  LogoutDto,
  MessageResponse,
  RefreshDto,
  RegisterDto,
  SessionResponse,
} from './dto/auth.dto';
import { Dialect, loginInDialect, userInDialect } from './role-dialect';
import type { RoleDialect } from '../../common/auth/roles';

/**
 * Served at /auth (the original Trajectorie API) and /api/auth (the original Pre-Interview Test API, where a
 * candidate is rendered `applicant`).
 */
@ApiTags('auth')
@Controller(['auth', 'api/auth'])
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Endpoint({
    roles: 'public',
    summary: 'Log in with e-mail and password (rate-limited per account+IP and per IP)',
    ok: LoginResponse,
    errors: [400, 401, 429],
  })
  async login(
    @Ctx() ctx: RequestContext,
    @Body() dto: LoginDto,
    @Dialect() dialect: RoleDialect,
  ): Promise<LoginResponse> {
    return loginInDialect(await this.auth.login(ctx, dto), dialect);
  }

  @RateLimit('refresh')
  @Post('refresh')
  @Endpoint({
    roles: 'public',
    summary: 'Rotate the refresh token; a reused one revokes the whole session',
    ok: LoginResponse,
    errors: [400, 401, 429],
  })
  async refresh(
    @Ctx() ctx: RequestContext,
    @Body() dto: RefreshDto,
    @Dialect() dialect: RoleDialect,
  ): Promise<LoginResponse> {
    return loginInDialect(await this.auth.refresh(ctx, dto.refresh_token), dialect);
  }

  @Post('logout')
  @Endpoint({
    roles: 'any',
    summary: "Revoke the caller's session; its access token is refused from then on",
    ok: MessageResponse,
    errors: [400, 401],
  })
  @ApiBody({ type: LogoutDto, required: false })
  async logout(@Ctx() ctx: AuthenticatedContext, @Body() _dto: LogoutDto): Promise<MessageResponse> {
    await this.auth.logout(ctx);
    return { message: 'Logged out successfully' };
  }

  @Get('me')
  @Endpoint({ roles: 'any', summary: 'The authenticated user', ok: UserResponse, errors: [401] })
  me(@Ctx() ctx: AuthenticatedContext, @Dialect() dialect: RoleDialect): UserResponse {
    return userInDialect(this.auth.me(ctx), dialect);
  }

  @RateLimit('register')
  @Post('register')
  @Endpoint({
    roles: 'public',
    summary: 'Register a candidate (when ALLOW_PUBLIC_REGISTRATION is on, or with a valid invitation)',
    ok: UserResponse,
    okStatus: 201,
    errors: [400, 403, 409, 429],
  })
  async register(
    @Ctx() ctx: RequestContext,
    @Body() dto: RegisterDto,
    @Dialect() dialect: RoleDialect,
  ): Promise<UserResponse> {
    return userInDialect(await this.auth.register(ctx, dto), dialect);
  }

  @Get('sessions')
  @Endpoint({
    roles: 'any',
    summary: "The caller's live sessions (one per login)",
    ok: [SessionResponse],
    errors: [401],
  })
  sessions(@Ctx() ctx: AuthenticatedContext): Promise<SessionResponse[]> {
    return this.auth.listSessions(ctx);
  }

  @Delete('sessions/:id')
  @Endpoint({ roles: 'any', summary: "Revoke one of the caller's sessions", okStatus: 204, errors: [400, 401, 404] })
  revokeSession(@Ctx() ctx: AuthenticatedContext, @UuidParam('id') id: string): Promise<void> {
    return this.auth.revokeSession(ctx, id);
  }

  @Post('change-password')
  @Endpoint({
    roles: 'any',
    summary:
      'Change the password; every other session of the user is revoked. Wrong current passwords are rate-limited ' +
      'per account: the one reaching the limit revokes this session (429)',
    ok: MessageResponse,
    errors: [400, 401, 429],
  })
  async changePassword(@Ctx() ctx: AuthenticatedContext, @Body() dto: ChangePasswordDto): Promise<MessageResponse> {
    await this.auth.changePassword(ctx, dto.current_password, dto.new_password);
    return { message: 'Password changed' };
  }
}
