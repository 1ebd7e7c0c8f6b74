/** A clock the test moves. */
import type { Clock } from "../../shared/ports/clock.js";

export class FakeClock implements Clock {
  constructor(private t = Date.parse("2026-11-30T10:00:00Z")) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
