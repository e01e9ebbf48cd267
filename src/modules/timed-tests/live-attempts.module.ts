import { Module } from '@nestjs/common';
import { AttemptLifecycleModule } from './attempt-lifecycle.service';
import { InvitationsModule } from './invitations/invitations.module';
import { LiveAttemptsService } from './live-attempts.service';
import { TakingModule } from './taking/taking.module';

/** Timed tests as live proctoring sees them (src/modules/proctoring): running attempts, their log, terminate. */
@Module({
  imports: [InvitationsModule, TakingModule, AttemptLifecycleModule],
  providers: [LiveAttemptsService],
  exports: [LiveAttemptsService, AttemptLifecycleModule],
})
export class LiveAttemptsModule {}
