/** Metrics kept in memory, by name (dimensions ignored). */
import type { Metrics } from "../../shared/ports/metrics.js";

export class FakeMetrics implements Metrics {
  readonly counts = new Map<string, number>();
  count(name: string, value = 1): void {
    this.counts.set(name, (this.counts.get(name) ?? 0) + value);
  }
  get(name: string): number {
    return this.counts.get(name) ?? 0;
  }
}
