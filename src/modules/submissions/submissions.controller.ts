import { Body, Controller, Delete, Get, Post, Put, Query, Res } from '@nestjs/common';
import { ApiExtraModels, ApiParam, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { Ctx } from '../../common/auth/decorators';
import { AuthenticatedContext } from '../../common/context/request-context';
import { Endpoint, pageOf } from '../../common/http/endpoint.decorator';
import { Page } from '../../common/http/pagination';
import { UuidParam } from '../../common/http/uuid-param';
import { TEST_TYPES, TestType } from '../../domain/test-types';
import { CreateSubmissionDto } from './dto/create-submission.dto';
import { ListSubmissionsQueryDto } from './dto/list-submissions-query.dto';
import { TestTypeParam } from './dto/submission-fields';
import { AttemptsResponse, SubmissionDeletedResponse, SubmissionResponse } from './dto/submission.response';
import { UpdateSubmissionDto } from './dto/update-submission.dto';
import { SubmissionAttemptsService } from './submission-attempts.service';
import { SubmissionsService } from './submissions.service';
import { EmbeddedMediaFiles } from './embedded-media/embedded-media.decorator';
import type { EmbeddedMedia } from './embedded-media/submission-body.middleware';

const TEST_TYPE_PARAM = ApiParam({ name: 'test_type', enum: TEST_TYPES, description: 'Case-insensitive' });

/**
 * Proctors get 403 on every route: they read only attempts they proctored, and SJT/JDT interviews are
 * not proctored.
 */
@ApiTags('submissions')
@ApiExtraModels(SubmissionResponse)
@Controller('api/v1/submissions')
export class SubmissionsController {
  constructor(
    private readonly submissions: SubmissionsService,
    private readonly userAttempts: SubmissionAttemptsService,
  ) {}

  @Get()
  @Endpoint({
    roles: ['superadmin', 'admin', 'candidate'],
    summary: 'List submissions, newest first (superadmin: all; admin: its tenant; candidate: its own)',
    ok: pageOf(SubmissionResponse),
    errors: [400, 401, 403],
  })
  list(@Ctx() ctx: AuthenticatedContext, @Query() query: ListSubmissionsQueryDto): Promise<Page<SubmissionResponse>> {
    return this.submissions.list(ctx, query);
  }

  @Post()
  @Endpoint({
    roles: ['superadmin', 'admin', 'candidate'],
    summary:
      "Submit an interview for yourself (the tenant's allowed test types and, for candidates, attempt limit apply)",
    description:
      'Entries may carry their recording as a base64 data URI in `videoDataUri` / `audioDataUri` (the body may then ' +
      'be up to SUBMISSION_MAX_BODY_BYTES; without them 1 MB): each is stored as a media file of the submission, ' +
      'checked like a media upload (content must be that kind of media: 415; at most MAX_FILE_SIZE: 413; a bad data ' +
      "URI: 400 naming the entry), and rendered in responses as the file's download URL.",
    ok: SubmissionResponse,
    okStatus: 201,
    errors: [400, 401, 403, 409, 413, 415],
  })
  create(
    @Ctx() ctx: AuthenticatedContext,
    @Body() dto: CreateSubmissionDto,
    @EmbeddedMediaFiles() embedded: EmbeddedMedia[],
  ): Promise<SubmissionResponse> {
    return this.submissions.create(ctx, dto, embedded);
  }

  @Get('user/:user_id/attempts/:test_type')
  @Endpoint({
    roles: ['superadmin', 'admin', 'candidate'],
    summary: "A user's attempts of a test type and how many remain (candidate: itself; admin: its tenant)",
    ok: AttemptsResponse,
    errors: [400, 401, 403, 404],
  })
  @TEST_TYPE_PARAM
  attempts(
    @Ctx() ctx: AuthenticatedContext,
    @UuidParam('user_id') userId: string,
    @TestTypeParam() testType: TestType,
  ): Promise<AttemptsResponse> {
    return this.userAttempts.attempts(ctx, userId, testType);
  }

  @Get('user/:user_id/latest/:test_type')
  @Endpoint({
    roles: ['superadmin', 'admin', 'candidate'],
    summary: "A user's newest submission of a test type, or null (candidate: itself; admin: its tenant)",
    ok: {
      description: 'The newest submission, or JSON null when there is none',
      schema: { type: 'object', nullable: true, allOf: [{ $ref: getSchemaPath(SubmissionResponse) }] },
    },
    errors: [400, 401, 403, 404],
  })
  @TEST_TYPE_PARAM
  async latest(
    @Ctx() ctx: AuthenticatedContext,
    @UuidParam('user_id') userId: string,
    @TestTypeParam() testType: TestType,
    @Res() res: Response,
  ): Promise<void> {
    // Written directly: Nest would answer a null return value with an empty body, and clients expect `null`.
    res.json(await this.userAttempts.latest(ctx, userId, testType));
  }

  @Get(':id')
  @Endpoint({
    roles: ['superadmin', 'admin', 'candidate'],
    summary: 'Get a submission (superadmin: any; admin: its tenant; candidate: its own)',
    ok: SubmissionResponse,
    errors: [400, 401, 403, 404],
  })
  get(@Ctx() ctx: AuthenticatedContext, @UuidParam('id') id: string): Promise<SubmissionResponse> {
    return this.submissions.get(ctx, id);
  }

  @Put(':id')
  @Endpoint({
    roles: ['superadmin', 'admin'],
    summary: 'Store the analysis report and/or move the status (admin); completing records analysis_completed_at',
    ok: SubmissionResponse,
    errors: [400, 401, 403, 404, 413],
  })
  update(
    @Ctx() ctx: AuthenticatedContext,
    @UuidParam('id') id: string,
    @Body() dto: UpdateSubmissionDto,
  ): Promise<SubmissionResponse> {
    return this.submissions.update(ctx, id, dto);
  }

  @Delete(':id')
  @Endpoint({
    roles: ['superadmin', 'admin'],
    summary: 'Delete a submission with its media rows and stored files (admin)',
    ok: SubmissionDeletedResponse,
    errors: [400, 401, 403, 404],
  })
  remove(@Ctx() ctx: AuthenticatedContext, @UuidParam('id') id: string): Promise<SubmissionDeletedResponse> {
    return this.submissions.remove(ctx, id);
  }
}
