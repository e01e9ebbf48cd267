import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { SessionsModule } from '../sessions/sessions.module';
import { LiveAttemptsModule } from '../timed-tests/live-attempts.module';
import { ProctoringLiveService } from './proctoring-live.service';
import { ProctoringGateway } from './proctoring.gateway';
import { SocketAuthService } from './socket-auth';

/** Live proctoring (docs/proctoring.md): the Socket.IO gateway and its socket-side service. */
@Module({
  imports: [AuthModule, SessionsModule, LiveAttemptsModule],
  providers: [ProctoringGateway, ProctoringLiveService, SocketAuthService],
})
export class ProctoringModule {}
