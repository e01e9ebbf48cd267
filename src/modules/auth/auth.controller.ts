import { Body, Controller, Delete, Get, Post, UseInterceptors } from '@nestjs/common';
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
import { RoleDialectInterceptor } from './role-dialect.interceptor';

/**
 * Served at /auth (the original Trajectorie API) and /api/auth (the original Pre-Interview Test API, where a
 * candidate is rendered `applicant`).
 */
@ApiTags('auth')
@Controller(['auth', 'api/auth'])
@UseInterceptors(RoleDialectInterceptor)
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Endpoint({
    roles: 'public',
    summary: 'Log in with e-mail and password (rate-limited per account+IP and per IP)',
    ok: LoginResponse,
    errors: [400, 401, 429],
  })
  login(@Ctx() ctx: RequestContext, @Body() dto: LoginDto): Promise<LoginResponse> {
    return this.auth.login(ctx, dto);
  }

  @RateLimit('refresh')
  @Post('refresh')
  @Endpoint({
    roles: 'public',
    summary: 'Rotate the refresh token; a reused one revokes the whole session',
    ok: LoginResponse,
    errors: [400, 401, 429],
  })
  refresh(@Ctx() ctx: RequestContext, @Body() dto: RefreshDto): Promise<LoginResponse> {
    return this.auth.refresh(ctx, dto.refresh_token);
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
  me(@Ctx() ctx: AuthenticatedContext): UserResponse {
    return this.auth.me(ctx);
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
  register(@Ctx() ctx: RequestContext, @Body() dto: RegisterDto): Promise<UserResponse> {
    return this.auth.register(ctx, dto);
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
