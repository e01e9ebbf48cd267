import { Module } from '@nestjs/common';
import { AdminScoringController } from './admin-scoring.controller';
import { MySubmissionsController, ResultsController } from './results.controller';
import { ResultsRepository } from './results.repository';
import { ResultsService } from './results.service';
import { ReviewService } from './review.service';

/** Results of timed-test attempts, their manual review, and a candidate's own results. */
@Module({
  controllers: [ResultsController, MySubmissionsController, AdminScoringController],
  providers: [ResultsService, ReviewService, ResultsRepository],
})
export class ResultsModule {}
