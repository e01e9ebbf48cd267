import { Module } from '@nestjs/common';
import { ConfigurationsModule } from '../configurations/configurations.module';
import { TenantsModule } from '../tenants/tenants.module';
import { UsersModule } from '../users/users.module';
import { MediaController } from './media/media.controller';
import { MediaUrlSigner } from './media/media-url-signer';
import { MediaLinks } from './media/media-links';
import { EmbeddedMediaParser } from './embedded-media/embedded-media.parser';
import { EmbeddedMediaStore } from './embedded-media/embedded-media.store';
import { SubmissionRenderer } from './embedded-media/submission-renderer';
import { MediaService } from './media/media.service';
import { SignedMediaController } from './media/signed-media.controller';
import { DriverStoredFilesRemover, STORED_FILES_REMOVER } from './stored-files-remover';
import { SubmissionAttemptsService } from './submission-attempts.service';
import { SubmissionStatisticsModule } from './submission-statistics.module';
import { SubmissionsController } from './submissions.controller';
import { SubmissionsRepository } from './submissions.repository';
import { MediaFilesRepository } from './media/media-files.repository';
import { SubmissionsService } from './submissions.service';

/**
 * Uses TenantsService (allowed test types, attempt limit), ConfigurationsService (the version in force at create)
 * and UserAdministrationService (whose attempts may be read).
 * TenantsModule needs only the counts, from SubmissionStatisticsModule, so there is no cycle.
 * Media files are stored through the global STORAGE_DRIVER; STORED_FILES_REMOVER deletes the objects of removed rows.
 */
@Module({
  imports: [TenantsModule, UsersModule, ConfigurationsModule, SubmissionStatisticsModule],
  controllers: [SubmissionsController, MediaController, SignedMediaController],
  providers: [
    SubmissionsService,
    SubmissionAttemptsService,
    SubmissionsRepository,
    MediaFilesRepository,
    MediaService,
    MediaUrlSigner,
    MediaLinks,
    EmbeddedMediaParser,
    EmbeddedMediaStore,
    SubmissionRenderer,
    { provide: STORED_FILES_REMOVER, useClass: DriverStoredFilesRemover },
  ],
  exports: [SubmissionsService, SubmissionStatisticsModule],
})
export class SubmissionsModule {}
