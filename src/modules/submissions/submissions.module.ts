import { Module } from '@nestjs/common';
import { ConfigurationsModule } from '../configurations/configurations.module';
import { TenantsModule } from '../tenants/tenants.module';
import { UsersModule } from '../users/users.module';
import { SubmissionAttemptsService } from './submission-attempts.service';
import { SubmissionStatisticsModule } from './submission-statistics.module';
import { SubmissionsController } from './submissions.controller';
import { SubmissionsRepository } from './submissions.repository';
import { SubmissionsService } from './submissions.service';

/**
 * Uses TenantsService (allowed test types, attempt limit), ConfigurationsService (the version in force at create)
 * and UserManagementService (whose attempts may be read).
 * TenantsModule needs only the counts, from SubmissionStatisticsModule, so there is no cycle.
 * The media routes will add their controller and the STORED_FILES_REMOVER provider here.
 */
@Module({
  imports: [TenantsModule, UsersModule, ConfigurationsModule, SubmissionStatisticsModule],
  controllers: [SubmissionsController],
  providers: [SubmissionsService, SubmissionAttemptsService, SubmissionsRepository],
  exports: [SubmissionsService, SubmissionStatisticsModule],
})
export class SubmissionsModule {}
