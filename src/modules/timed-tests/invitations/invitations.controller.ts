import { Body, Controller, Get, Post, Query, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiExtraModels, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { memoryStorage } from 'multer';
import { Ctx } from '../../../common/auth/decorators';
import { AuthenticatedContext } from '../../../common/context/request-context';
import { Endpoint, pageOf } from '../../../common/http/endpoint.decorator';
import { Page, PaginationQueryDto } from '../../../common/http/pagination';
import { UuidParam } from '../../../common/http/uuid-param';
import { BulkInvitationsResponse } from './dto/bulk-invitations.response';
import { BulkInvitationsDto, CreateInvitationDto } from './dto/create-invitation.dto';
import {
  CandidateInvitationResponse,
  InvitationResponse,
  InvitationWithTokenResponse,
} from './dto/invitation.response';
import { ListInvitationsQueryDto } from './dto/list-invitations-query.dto';
import { InvitationBulkService } from './invitation-bulk.service';
import { InvitationsService } from './invitations.service';

const STAFF = ['superadmin', 'admin'] as const;
/** Multer's own ceiling; the configured INVITE_BULK_MAX_BYTES (smaller) is checked by the service. */
const CSV_UPLOAD_LIMITS = { fileSize: 10 * 1024 * 1024 + 1, files: 1, fields: 10, parts: 12 };

@ApiTags('invitations')
@Controller('api')
export class InvitationsController {
  constructor(
    private readonly invitations: InvitationsService,
    private readonly bulk: InvitationBulkService,
  ) {}

  @Post('invites')
  @Endpoint({
    roles: [...STAFF],
    summary: 'Invite a candidate to an active test; the token and link are returned only here (and by resend)',
    ok: InvitationWithTokenResponse,
    okStatus: 201,
    errors: [400, 401, 403, 404],
  })
  create(@Ctx() ctx: AuthenticatedContext, @Body() dto: CreateInvitationDto): Promise<InvitationWithTokenResponse> {
    return this.invitations.create(ctx, dto);
  }

  @Post('invites/bulk')
  @Endpoint({
    roles: [...STAFF],
    summary: 'Invite many candidates to one test, from a JSON list or a CSV upload, with a per-row report',
    description:
      'JSON `{test_id, invites: [{applicant_email, applicant_name, scheduled_date?}]}`, or multipart with `test_id` ' +
      'and `file` (CSV with the header applicant_email,applicant_name[,scheduled_date]). Each valid row becomes ' +
      'its own invitation and e-mail; invalid rows and e-mails repeated in the request are reported in `errors`.',
    ok: BulkInvitationsResponse,
    okStatus: 201,
    errors: [400, 401, 403, 404, 413, 415],
  })
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiExtraModels(BulkInvitationsDto)
  @ApiBody({
    schema: {
      oneOf: [
        { $ref: getSchemaPath(BulkInvitationsDto) },
        {
          type: 'object',
          required: ['test_id', 'file'],
          properties: { test_id: { type: 'string', format: 'uuid' }, file: { type: 'string', format: 'binary' } },
        },
      ],
    },
  })
  @UseInterceptors(FileInterceptor('file', { storage: memoryStorage(), limits: CSV_UPLOAD_LIMITS }))
  createBulk(
    @Ctx() ctx: AuthenticatedContext,
    @Body() body: unknown,
    @UploadedFile() file: Express.Multer.File | undefined,
  ): Promise<BulkInvitationsResponse> {
    return this.bulk.create(ctx, body, file);
  }

  @Get('invites')
  @Endpoint({
    roles: [...STAFF],
    summary:
      'List invitations, newest first (filters: status, email, from/to; status_filter, email_search, date_filter)',
    ok: pageOf(InvitationResponse),
    errors: [400, 401, 403],
  })
  list(@Ctx() ctx: AuthenticatedContext, @Query() query: ListInvitationsQueryDto): Promise<Page<InvitationResponse>> {
    return this.invitations.list(ctx, query);
  }

  @Get('invites/:id')
  @Endpoint({ roles: [...STAFF], summary: 'Get an invitation', ok: InvitationResponse, errors: [400, 401, 403, 404] })
  get(@Ctx() ctx: AuthenticatedContext, @UuidParam() id: string): Promise<InvitationResponse> {
    return this.invitations.get(ctx, id);
  }

  @Post('invites/:id/cancel')
  @Endpoint({
    roles: [...STAFF],
    summary: 'Cancel an invitation that has not been started (its token stops working)',
    ok: InvitationResponse,
    errors: [400, 401, 403, 404, 409],
  })
  cancel(@Ctx() ctx: AuthenticatedContext, @UuidParam() id: string): Promise<InvitationResponse> {
    return this.invitations.cancel(ctx, id);
  }

  @Post('invites/:id/resend')
  @Endpoint({
    roles: [...STAFF],
    summary: 'Send the invitation again with a new token and link (the old token stops working)',
    ok: InvitationWithTokenResponse,
    errors: [400, 401, 403, 404, 409],
  })
  resend(@Ctx() ctx: AuthenticatedContext, @UuidParam() id: string): Promise<InvitationWithTokenResponse> {
    return this.invitations.resend(ctx, id);
  }

  @Get('my-invites')
  @Endpoint({
    roles: 'any',
    summary: "The caller's invitations: its tenant's invitations to its e-mail (case-insensitive), newest first",
    ok: pageOf(CandidateInvitationResponse),
    errors: [400, 401],
  })
  mine(
    @Ctx() ctx: AuthenticatedContext,
    @Query() query: PaginationQueryDto,
  ): Promise<Page<CandidateInvitationResponse>> {
    return this.invitations.listMine(ctx, query);
  }
}
