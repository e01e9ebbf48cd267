import { Body, Controller, Get, Headers, Param, Post, Put } from '@nestjs/common';
import { ApiHeader, ApiParam, ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../../common/auth/decorators';
import { RequestContext } from '../../../common/context/request-context';
import { Endpoint } from '../../../common/http/endpoint.decorator';
import { NoThrottle } from '../../../common/throttle/api-throttle';
import { TOKEN_PARAM } from '../invitations/invitation-token.controller';
import { AnswersDto } from './dto/answers.dto';
import { SaveAnswersResponse, StartTestResponse, SubmitTestResponse, TakeTestResponse } from './dto/taking.response';
import { TakingService } from './taking.service';

/** Taking a test: public routes authorised by the invitation token alone (the original API's paths). */
@ApiTags('taking')
@Controller('api')
// Token routes have their own limits, per IP, per token and per unknown token (InvitationAccessService), instead
// of the API throttle's per-IP budget: many candidates of one test centre share an address.
@NoThrottle()
export class TakingController {
  constructor(private readonly taking: TakingService) {}

  @Get('take-test/:token')
  @Endpoint({
    roles: 'public',
    summary: 'The test to take (no answer keys), server time, deadline, remaining seconds and saved answers',
    ok: TakeTestResponse,
    errors: [404, 409, 410, 429],
  })
  @ApiParam(TOKEN_PARAM)
  take(@Ctx() ctx: RequestContext, @Param('token') token: string): Promise<TakeTestResponse> {
    return this.taking.take(ctx, token);
  }

  @Post('start-test/:token')
  @Endpoint({
    roles: 'public',
    summary: 'Start the test (idempotent: starting again returns the same attempt and deadline)',
    ok: StartTestResponse,
    errors: [404, 409, 410, 429],
  })
  @ApiParam(TOKEN_PARAM)
  start(@Ctx() ctx: RequestContext, @Param('token') token: string): Promise<StartTestResponse> {
    return this.taking.start(ctx, token);
  }

  @Put('take-test/:token/answers')
  @Endpoint({
    roles: 'public',
    summary: 'Autosave answers (each replaces the saved answer to its question)',
    ok: SaveAnswersResponse,
    errors: [400, 404, 409, 410, 429],
  })
  @ApiParam(TOKEN_PARAM)
  save(
    @Ctx() ctx: RequestContext,
    @Param('token') token: string,
    @Body() dto: AnswersDto,
  ): Promise<SaveAnswersResponse> {
    return this.taking.saveAnswers(ctx, token, dto);
  }

  @Post('submit-test/:token')
  @Endpoint({
    roles: 'public',
    summary: 'Submit the test once (merged with the saved answers); an Idempotency-Key replays the first result',
    ok: SubmitTestResponse,
    errors: [400, 404, 409, 410, 429],
  })
  @ApiParam(TOKEN_PARAM)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A retry with the same key gets the first response again instead of 409',
  })
  submit(
    @Ctx() ctx: RequestContext,
    @Param('token') token: string,
    @Body() dto: AnswersDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
  ): Promise<SubmitTestResponse> {
    return this.taking.submit(ctx, token, dto, idempotencyKey);
  }
}
