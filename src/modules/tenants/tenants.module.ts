import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { SubmissionStatisticsModule } from '../submissions/submission-statistics.module';
import { TimedTestStatisticsModule } from '../timed-tests/timed-test-statistics.module';
import { UsersModule } from '../users/users.module';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';

/** Imports UsersModule (tenant users are created and listed through it); UsersModule never imports this one. */
@Module({
  imports: [UsersModule, SessionsModule, SubmissionStatisticsModule, TimedTestStatisticsModule],
  controllers: [TenantsController],
  providers: [TenantsService],
  exports: [TenantsService],
})
export class TenantsModule {}
