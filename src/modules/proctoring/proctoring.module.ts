import { Module } from '@nestjs/common';
import { ProctoringSessionsController } from './proctoring-sessions.controller';
import { ProctoringSessionsRepository } from './proctoring-sessions.repository';
import { ProctoringSessionsService } from './proctoring-sessions.service';

/**
 * Live proctoring (docs/proctoring.md): the REST side — sessions, reviews, ICE servers. The Socket.IO gateway's
 * providers join this module.
 */
@Module({
  controllers: [ProctoringSessionsController],
  providers: [ProctoringSessionsService, ProctoringSessionsRepository],
})
export class ProctoringModule {}
