import { Injectable } from '@nestjs/common';

/**
 * The one source of "now" for rules that depend on time (invitation expiry, schedule windows, attempt deadlines,
 * the sweeper). Tests replace it with a `ManualClock` (`app.get(Clock)` → `advance(ms)`) instead of sleeping.
 */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock that moves only when told to (tests). */
export class ManualClock extends Clock {
  private current: number;

  constructor(start: Date = new Date()) {
    super();
    this.current = start.getTime();
  }

  override now(): Date {
    return new Date(this.current);
  }

  set(at: Date): void {
    this.current = at.getTime();
  }

  advance(ms: number): void {
    this.current += ms;
  }
}
