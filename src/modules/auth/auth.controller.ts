import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Post, UseInterceptors } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Ctx, Public } from '../../common/auth/decorators';
import { AuthenticatedContext, RequestContext } from '../../common/context/request-context';
import { ApiErrors } from '../../common/http/api-errors';
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

/** Served at /auth (first seed) and /api/auth (second seed, where a candidate is rendered `applicant`). */
@ApiTags('auth')
@Controller(['auth', 'api/auth'])
@UseInterceptors(RoleDialectInterceptor)
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Log in with e-mail and password (rate-limited per account+IP and per IP)' })
  @ApiOkResponse({ type: LoginResponse })
  @ApiErrors(400, 401, 429)
  login(@Ctx() ctx: RequestContext, @Body() dto: LoginDto): Promise<LoginResponse> {
    return this.auth.login(ctx, dto);
  }

  @Public()
  @RateLimit('refresh')
  @Post('refresh')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Rotate the refresh token; a reused one revokes the whole session' })
  @ApiOkResponse({ type: LoginResponse })
  @ApiErrors(400, 401, 429)
  refresh(@Ctx() ctx: RequestContext, @Body() dto: RefreshDto): Promise<LoginResponse> {
    return this.auth.refresh(ctx, dto.refresh_token);
  }

  @Post('logout')
  @HttpCode(HttpStatus.OK)
  @ApiBearerAuth()
  @ApiOperation({ summary: "Revoke the caller's session; its access token is refused from then on" })
  @ApiBody({ type: LogoutDto, required: false })
  @ApiOkResponse({ type: MessageResponse })
  @ApiErrors(400, 401)
  async logout(@Ctx() ctx: AuthenticatedContext, @Body() _dto: LogoutDto): Promise<MessageResponse> {
    await this.auth.logout(ctx);
    return { message: 'Logged out successfully' };
  }

  @Get('me')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'The authenticated user' })
  @ApiOkResponse({ type: UserResponse })
  @ApiErrors(401)
  me(@Ctx() ctx: AuthenticatedContext): UserResponse {
    return this.auth.me(ctx);
  }

  @Public()
  @RateLimit('register')
  @Post('register')
  @ApiOperation({
    summary: 'Register a candidate (when ALLOW_PUBLIC_REGISTRATION is on, or with a valid invitation)',
  })
  @ApiCreatedResponse({ type: UserResponse })
  @ApiErrors(400, 403, 409, 429)
  register(@Ctx() ctx: RequestContext, @Body() dto: RegisterDto): Promise<UserResponse> {
    return this.auth.register(ctx, dto);
  }

  @Get('sessions')
  @ApiBearerAuth()
  @ApiOperation({ summary: "The caller's live sessions (one per login)" })
  @ApiOkResponse({ type: [SessionResponse] })
  @ApiErrors(401)
  sessions(@Ctx() ctx: AuthenticatedContext): Promise<SessionResponse[]> {
    return this.auth.listSessions(ctx);
  }

  @Delete('sessions/:id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiBearerAuth()
  @ApiOperation({ summary: "Revoke one of the caller's sessions" })
  @ApiNoContentResponse()
  @ApiErrors(400, 401, 404)
  revokeSession(@Ctx() ctx: AuthenticatedContext, @UuidParam('id') id: string): Promise<void> {
    return this.auth.revokeSession(ctx, id);
  }

  @Post('change-password')
  @HttpCode(HttpStatus.OK)
  @ApiBearerAuth()
  @ApiOperation({
    summary:
      'Change the password; every other session of the user is revoked. Wrong current passwords are rate-limited ' +
      'per account: the one reaching the limit revokes this session (429)',
  })
  @ApiOkResponse({ type: MessageResponse })
  @ApiErrors(400, 401, 429)
  async changePassword(@Ctx() ctx: AuthenticatedContext, @Body() dto: ChangePasswordDto): Promise<MessageResponse> {
    await this.auth.changePassword(ctx, dto.current_password, dto.new_password);
    return { message: 'Password changed' };
  }
}
