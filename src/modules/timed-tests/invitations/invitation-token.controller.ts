import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiParam, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../../common/auth/decorators';
import { RequestContext } from '../../../common/context/request-context';
import { Endpoint } from '../../../common/http/endpoint.decorator';
import { NoThrottle } from '../../../common/throttle/api-throttle';
import { ScheduleInvitationDto } from './dto/create-invitation.dto';
import { PublicInvitationResponse } from './dto/public-invitation.response';
import { PublicInvitationsService } from './public-invitations.service';

export const TOKEN_PARAM = {
  name: 'token',
  description: 'The invitation token from the e-mailed link (43 characters, base64url)',
  example: 'q7Zk3bW8m1VYt0n2cXr4d5Ue6Hf9Ga0Jb1Kc2Ld3Me4',
};

@ApiTags('invitations')
@Controller('api/invites/token')
// Token routes have their own limits, per IP, per token and per unknown token (InvitationAccessService), instead
// of the API throttle's per-IP budget: many candidates of one test centre share an address.
@NoThrottle()
export class InvitationTokenController {
  constructor(private readonly invitations: PublicInvitationsService) {}

  @Get(':token')
  @Endpoint({
    roles: 'public',
    summary: 'The invitation and its test as the candidate sees them (no answer keys), by token',
    ok: PublicInvitationResponse,
    errors: [404, 410, 429],
  })
  @ApiParam(TOKEN_PARAM)
  view(@Ctx() ctx: RequestContext, @Param('token') token: string): Promise<PublicInvitationResponse> {
    return this.invitations.view(ctx, token);
  }

  @Post(':token/schedule')
  @Endpoint({
    roles: 'public',
    summary: 'Choose or move the time of the test (not when the admin fixed it; future, before expiry)',
    ok: PublicInvitationResponse,
    errors: [400, 404, 409, 410, 429],
  })
  @ApiParam(TOKEN_PARAM)
  schedule(
    @Ctx() ctx: RequestContext,
    @Param('token') token: string,
    @Body() dto: ScheduleInvitationDto,
  ): Promise<PublicInvitationResponse> {
    return this.invitations.schedule(ctx, token, dto);
  }
}
