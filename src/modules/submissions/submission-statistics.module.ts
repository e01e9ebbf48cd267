import { Module } from '@nestjs/common';
import { SubmissionStatisticsService } from './submission-statistics.service';

/** Imported by TenantsModule and StatisticsModule; depends on nothing but the (global) database. */
@Module({
  providers: [SubmissionStatisticsService],
  exports: [SubmissionStatisticsService],
})
export class SubmissionStatisticsModule {}
