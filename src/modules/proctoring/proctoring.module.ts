import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { SessionsModule } from '../sessions/sessions.module';
import { LiveAttemptsModule } from '../timed-tests/live-attempts.module';
import { ProctoringLiveService } from './proctoring-live.service';
import { ProctoringRecheck } from './proctoring-recheck';
import { ProctoringSessionsController } from './proctoring-sessions.controller';
import { ProctoringSessionsRepository } from './proctoring-sessions.repository';
import { ProctoringSessionsService } from './proctoring-sessions.service';
import { ProctoringGateway } from './proctoring.gateway';
import { SocketAuthService } from './socket-auth';

/**
 * Live proctoring (docs/proctoring.md): the REST side (sessions, reviews, ICE servers) and the Socket.IO gateway with
 * its socket-side service.
 */
@Module({
  imports: [AuthModule, SessionsModule, LiveAttemptsModule],
  controllers: [ProctoringSessionsController],
  providers: [
    ProctoringSessionsService,
    ProctoringSessionsRepository,
    ProctoringGateway,
    ProctoringLiveService,
    ProctoringRecheck,
    SocketAuthService,
  ],
})
export class ProctoringModule {}
