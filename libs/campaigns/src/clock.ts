import { Injectable } from '@nestjs/common';

/** The one clock: retries, schedules and time stamps read it, so tests can move time. */
@Injectable()
export class Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  /** Tests only: move this clock forward (or back). */
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
