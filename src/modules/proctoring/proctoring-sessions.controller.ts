import { Body, Controller, Get, Put, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../common/auth/decorators';
import { AuthenticatedContext } from '../../common/context/request-context';
import { Endpoint, pageOf } from '../../common/http/endpoint.decorator';
import { Page } from '../../common/http/pagination';
import { UuidParam } from '../../common/http/uuid-param';
import { ListSessionsQueryDto } from './dto/proctoring-queries.dto';
import {
  IceServersResponse,
  ProctoringSessionDetailResponse,
  ProctoringSessionResponse,
  SessionReviewResponse,
} from './dto/proctoring-session.response';
import { ReviewSessionDto } from './dto/review-session.dto';
import { ProctoringSessionsService } from './proctoring-sessions.service';

const STAFF = ['superadmin', 'admin', 'proctor'] as const;

/** Proctoring sessions over REST (docs/proctoring.md, "REST"); the live side is the Socket.IO namespace. */
@ApiTags('proctoring')
@Controller('api/v1/proctoring')
export class ProctoringSessionsController {
  constructor(private readonly sessions: ProctoringSessionsService) {}

  @Get('sessions')
  @Endpoint({
    roles: STAFF,
    summary: 'List proctoring sessions (timed-test attempts) of the tenant, newest start first',
    description:
      'A proctor sees live sessions and the ended ones it watched. Filters: status (live|ended), review_status, ' +
      'test_id, from/to (start date; a date-only `to` includes that day). Counts come from the attempt event log.',
    ok: pageOf(ProctoringSessionResponse),
    errors: [400, 401, 403],
  })
  list(
    @Ctx() ctx: AuthenticatedContext,
    @Query() query: ListSessionsQueryDto,
  ): Promise<Page<ProctoringSessionResponse>> {
    return this.sessions.list(ctx, query);
  }

  @Get('sessions/:invite_id')
  @Endpoint({
    roles: STAFF,
    summary: "A session with its timeline (the attempt's events in order) and its review",
    description:
      "404 for another tenant's invitation, one without an attempt, or (a proctor) an ended session it did not watch.",
    ok: ProctoringSessionDetailResponse,
    errors: [400, 401, 403, 404],
  })
  get(
    @Ctx() ctx: AuthenticatedContext,
    @UuidParam('invite_id') inviteId: string,
  ): Promise<ProctoringSessionDetailResponse> {
    return this.sessions.get(ctx, inviteId);
  }

  @Put('sessions/:invite_id/review')
  @Endpoint({
    roles: STAFF,
    summary:
      "Set the session's review (replaces it: an omitted comment clears it); audited, logged as a `review` event",
    description:
      'Admins (a superadmin in any tenant); a proctor only for a session it watched (a live one it did not watch: 403, ' +
      'an ended one: 404). An invitation without an attempt has no session (404).',
    ok: SessionReviewResponse,
    errors: [400, 401, 403, 404],
  })
  review(
    @Ctx() ctx: AuthenticatedContext,
    @UuidParam('invite_id') inviteId: string,
    @Body() dto: ReviewSessionDto,
  ): Promise<SessionReviewResponse> {
    return this.sessions.review(ctx, inviteId, dto);
  }

  @Get('ice-servers')
  @Endpoint({
    roles: 'any',
    summary: 'STUN/TURN servers for WebRTC; TURN entries get time-limited credentials when TURN_SECRET is set',
    ok: IceServersResponse,
    errors: [401],
  })
  iceServers(@Ctx() ctx: AuthenticatedContext): IceServersResponse {
    return this.sessions.iceServers(ctx);
  }
}
