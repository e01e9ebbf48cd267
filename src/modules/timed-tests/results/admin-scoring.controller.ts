import { Body, Controller, Get, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Ctx } from '../../../common/auth/decorators';
import { AuthenticatedContext } from '../../../common/context/request-context';
import { Endpoint } from '../../../common/http/endpoint.decorator';
import { UuidParam } from '../../../common/http/uuid-param';
import { AdminScoreAnswerResponse, AdminScoringResponse, ScoringQueueEnvelope } from './dto/result.response';
import { ReviewQueueQueryDto } from './dto/result-queries.dto';
import { AdminScoreAnswerDto } from './dto/review.dto';
import { ReviewService } from './review.service';

const STAFF = ['superadmin', 'admin'] as const;

/** The original Pre-Interview Test API's manual-scoring routes, kept for its admin frontend; the same service as /api/results. */
@ApiTags('results')
@Controller('api/admin')
export class AdminScoringController {
  constructor(private readonly reviews: ReviewService) {}

  @Get('scoring-queue')
  @Endpoint({
    roles: STAFF,
    summary:
      "Results waiting for manual review, oldest first (as GET /api/results/review-queue, in the original API's shape)",
    ok: ScoringQueueEnvelope,
    errors: [400, 401, 403],
  })
  async queue(@Ctx() ctx: AuthenticatedContext, @Query() query: ReviewQueueQueryDto): Promise<ScoringQueueEnvelope> {
    return { submissions: (await this.reviews.queue(ctx, query)).items };
  }

  @Get('scoring/:submission_id')
  @Endpoint({
    roles: STAFF,
    summary: 'A result for the scoring screen: the submission header and every answer',
    ok: AdminScoringResponse,
    errors: [400, 401, 403, 404],
  })
  detail(@Ctx() ctx: AuthenticatedContext, @UuidParam('submission_id') id: string): Promise<AdminScoringResponse> {
    return this.reviews.scoringDetail(ctx, id);
  }

  @Post('scoring/:submission_id/answer/:answer_id')
  @Endpoint({
    roles: STAFF,
    summary: 'Score an essay or coding answer: {score_status, manual_score (0..points), comments}',
    description:
      'The stored status is derived from manual_score, like POST /api/results/{id}/answers/{answer_id}/score.',
    ok: AdminScoreAnswerResponse,
    errors: [400, 401, 403, 404, 409],
  })
  score(
    @Ctx() ctx: AuthenticatedContext,
    @UuidParam('submission_id') id: string,
    @UuidParam('answer_id') answerId: string,
    @Body() dto: AdminScoreAnswerDto,
  ): Promise<AdminScoreAnswerResponse> {
    return this.reviews.scoreAsSeed(ctx, id, answerId, { score: dto.manual_score, comment: dto.comments ?? null });
  }
}
