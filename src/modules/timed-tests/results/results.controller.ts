import { Body, Controller, Get, Post, Query, Res } from '@nestjs/common';
import { ApiExtraModels, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { Ctx } from '../../../common/auth/decorators';
import { AuthenticatedContext } from '../../../common/context/request-context';
import { Endpoint, pageOf } from '../../../common/http/endpoint.decorator';
import { Page, PaginationQueryDto } from '../../../common/http/pagination';
import { UuidParam } from '../../../common/http/uuid-param';
import {
  MySubmissionResponse,
  ResultDetailResponse,
  ResultResponse,
  ResultsEnvelope,
  ReviewQueueItem,
} from './dto/result.response';
import { ListResultsQueryDto, ResultFiltersDto, ReviewQueueQueryDto } from './dto/result-queries.dto';
import { ScoreAnswerDto } from './dto/review.dto';
import { ResultsService } from './results.service';
import { ReviewService } from './review.service';

const STAFF = ['superadmin', 'admin'] as const;

/** Results of timed tests (the original Pre-Interview Test API's `/api/results`) and their manual review. */
@ApiTags('results')
@ApiExtraModels(ResultResponse, ResultsEnvelope)
@Controller('api/results')
export class ResultsController {
  constructor(
    private readonly results: ResultsService,
    private readonly reviews: ReviewService,
  ) {}

  @Get()
  @Endpoint({
    roles: STAFF,
    summary: 'List submitted results, newest first (test_id, start_date/end_date or from/to)',
    description:
      "With `skip`/`limit`: an array and X-Total-Count. With `page`: the original Pre-Interview Test API's envelope `{results, " +
      'pagination}` (limit default 10). A date-only end date includes that whole day (UTC).',
    ok: {
      description: 'An array (skip/limit) or the envelope (page)',
      headers: { 'X-Total-Count': { description: 'With skip/limit: the total', schema: { type: 'integer' } } },
      schema: {
        oneOf: [
          { type: 'array', items: { $ref: getSchemaPath(ResultResponse) } },
          { $ref: getSchemaPath(ResultsEnvelope) },
        ],
      },
    },
    errors: [400, 401, 403],
  })
  async list(
    @Ctx() ctx: AuthenticatedContext,
    @Query() query: ListResultsQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ResultResponse[] | ResultsEnvelope> {
    const listed = await this.results.list(ctx, query);
    if (!('items' in listed)) return listed;
    res.setHeader('X-Total-Count', String(listed.total));
    return listed.items;
  }

  @Get('export.csv')
  @Endpoint({
    roles: STAFF,
    summary: 'Export results as CSV (same filters as the list), streamed',
    description: "Cells starting with = + - @ tab or CR are prefixed with ' so spreadsheets do not run them.",
    ok: {
      description: 'A text/csv attachment: a header line, then one line per result (CRLF line ends)',
      content: { 'text/csv': { schema: { type: 'string' } } },
    },
    errors: [400, 401, 403],
  })
  async exportCsv(
    @Ctx() ctx: AuthenticatedContext,
    @Query() query: ResultFiltersDto,
    @Res() res: Response,
  ): Promise<void> {
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', 'attachment; filename="results.csv"');
    res.setHeader('Cache-Control', 'no-store');
    await this.results.exportCsv(ctx, query, res);
    res.end();
  }

  @Get('review-queue')
  @Endpoint({
    roles: STAFF,
    summary: 'Results waiting for manual review (needs_review, partially_reviewed), oldest first',
    ok: pageOf(ReviewQueueItem),
    errors: [400, 401, 403],
  })
  queue(@Ctx() ctx: AuthenticatedContext, @Query() query: ReviewQueueQueryDto): Promise<Page<ReviewQueueItem>> {
    return this.reviews.queue(ctx, query);
  }

  @Get(':id')
  @Endpoint({
    // a proctor reads the results of attempts it proctored (watched), docs/proctoring.md "REST"; others are 404
    roles: [...STAFF, 'proctor'],
    summary: 'A result with every question of the version taken, the answers, the keys and the review state',
    description: 'A proctor may read only the result of an attempt it watched (else 404).',
    ok: ResultDetailResponse,
    errors: [400, 401, 403, 404],
  })
  get(@Ctx() ctx: AuthenticatedContext, @UuidParam() id: string): Promise<ResultDetailResponse> {
    return this.results.get(ctx, id);
  }

  @Post(':id/answers/:answer_id/score')
  @Endpoint({
    roles: STAFF,
    summary: "Score an essay or coding answer (0 to the question's points) and recompute the result",
    description:
      "`answer_id` is the answer's id, or the question's id for a question left unanswered. The status is derived " +
      'from the score (0 wrong, all points correct, else partial). In-progress attempts are 409.',
    ok: ResultDetailResponse,
    errors: [400, 401, 403, 404, 409],
  })
  score(
    @Ctx() ctx: AuthenticatedContext,
    @UuidParam() id: string,
    @UuidParam('answer_id') answerId: string,
    @Body() dto: ScoreAnswerDto,
  ): Promise<ResultDetailResponse> {
    return this.reviews.score(ctx, id, answerId, { score: dto.score, comment: dto.comment ?? null });
  }
}

/** A candidate's own results (the original Pre-Interview Test API's `/api/my-submissions`). */
@ApiTags('results')
@Controller('api/my-submissions')
export class MySubmissionsController {
  constructor(private readonly results: ResultsService) {}

  @Get()
  @Endpoint({
    roles: 'any',
    summary:
      "The caller's own attempts: invitations of its tenant to its e-mail (case-insensitive); scores, no answer keys",
    ok: pageOf(MySubmissionResponse),
    errors: [400, 401],
  })
  mine(@Ctx() ctx: AuthenticatedContext, @Query() query: PaginationQueryDto): Promise<Page<MySubmissionResponse>> {
    return this.results.mine(ctx, query);
  }
}
