import { Injectable, Logger, Module } from '@nestjs/common';

/** How an attempt ended: the candidate's submit, the deadline (job or sweep), or a proctor's terminate. */
export interface AttemptEnded {
  tenantId: string;
  inviteId: string;
  attemptId: string;
  status: 'submitted' | 'auto_submitted' | 'terminated';
  /** ISO; the attempt's deadline (an auto-submit is pushed as `attempt:deadline`) */
  deadline: string;
  /** a terminate's reason */
  reason?: string;
}

export type AttemptEndedListener = (event: AttemptEnded) => void;

/**
 * A small in-process notifier: the taking code tells it, after the unit of work that ended an attempt has
 * committed, that the attempt ended; the proctoring gateway listens and pushes it through the Socket.IO adapter
 * (so the push reaches every instance). A listener's failure is logged and never reaches the taking code.
 */
@Injectable()
export class AttemptLifecycleService {
  private readonly logger = new Logger(AttemptLifecycleService.name);
  private readonly listeners = new Set<AttemptEndedListener>();

  /** Returns the unsubscribe function. */
  onEnded(listener: AttemptEndedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  ended(event: AttemptEnded): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.logger.warn(`attempt-ended listener failed: ${(error as Error).message}`);
      }
    }
  }
}

/** Imported by the taking module (which tells) and the proctoring module (which listens): one instance. */
@Module({ providers: [AttemptLifecycleService], exports: [AttemptLifecycleService] })
export class AttemptLifecycleModule {}
