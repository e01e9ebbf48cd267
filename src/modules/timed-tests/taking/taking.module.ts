import { Module } from '@nestjs/common';
import { AttemptLifecycleModule } from '../attempt-lifecycle.service';
import { InvitationsModule } from '../invitations/invitations.module';
import { AttemptFinalizer } from './attempt-finalizer';
import { AttemptSweeperService } from './attempt-sweeper.service';
import { AttemptsRepository } from './attempts.repository';
import { TakingController } from './taking.controller';
import { TakingService } from './taking.service';

@Module({
  imports: [InvitationsModule, AttemptLifecycleModule],
  controllers: [TakingController],
  providers: [TakingService, AttemptsRepository, AttemptFinalizer, AttemptSweeperService],
  exports: [AttemptSweeperService, TakingService, AttemptsRepository],
})
export class TakingModule {}
