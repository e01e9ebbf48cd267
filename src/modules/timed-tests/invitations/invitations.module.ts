import { Module } from '@nestjs/common';
import { MailModule } from '../../mail/mail.module';
import { TestsModule } from '../tests/tests.module';
import { InvitationAccessService } from './invitation-access.service';
import { InvitationBulkService } from './invitation-bulk.service';
import { InvitationTokenController } from './invitation-token.controller';
import { InvitationsController } from './invitations.controller';
import { InvitationsRepository } from './invitations.repository';
import { InvitationsService } from './invitations.service';
import { PublicInvitationsService } from './public-invitations.service';
import { TestContentReader } from './test-content.reader';

@Module({
  imports: [MailModule, TestsModule],
  controllers: [InvitationsController, InvitationTokenController],
  providers: [
    InvitationsService,
    InvitationBulkService,
    InvitationAccessService,
    PublicInvitationsService,
    InvitationsRepository,
    TestContentReader,
  ],
  exports: [InvitationAccessService, PublicInvitationsService, InvitationsRepository, TestContentReader],
})
export class InvitationsModule {}
