import { Module } from '@nestjs/common';
import { TimedTestStatisticsService } from './timed-test-statistics.service';

/** Imported by TenantsModule and StatisticsModule; depends on nothing but the (global) database and clock. */
@Module({
  providers: [TimedTestStatisticsService],
  exports: [TimedTestStatisticsService],
})
export class TimedTestStatisticsModule {}
