import { Module } from '@nestjs/common';
import { SubmissionStatisticsModule } from '../submissions/submission-statistics.module';
import { TimedTestStatisticsModule } from '../timed-tests/timed-test-statistics.module';
import { TenantsModule } from '../tenants/tenants.module';
import { UsersModule } from '../users/users.module';
import { StatisticsController } from './statistics.controller';
import { StatisticsService } from './statistics.service';

@Module({
  imports: [TenantsModule, UsersModule, SubmissionStatisticsModule, TimedTestStatisticsModule],
  controllers: [StatisticsController],
  providers: [StatisticsService],
})
export class StatisticsModule {}
