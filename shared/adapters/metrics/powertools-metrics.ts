import { MetricUnit, Metrics as PowertoolsMetrics } from "@aws-lambda-powertools/metrics";
import type { Metrics } from "../../ports/metrics.js";

/** Metrics port over Powertools (CloudWatch EMF). Each count carries its own dimensions, flushed at once. */
export class EmfMetrics implements Metrics {
  constructor(readonly powertools: PowertoolsMetrics) {}

  count(name: string, value = 1, dimensions: Record<string, string> = {}): void {
    const single = this.powertools.singleMetric();
    for (const [k, v] of Object.entries(dimensions)) single.addDimension(k, v);
    single.addMetric(name, MetricUnit.Count, value);
  }
}

export const METRICS_NAMESPACE = "ZohoGptMediator";
/** Drops Powertools' own notices (such as "no application metrics to publish" after every flush). */
const SILENT = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

/**
 * Powertools metrics for one function. `quiet` silences Powertools' notices: the local stack runs the same
 * `logMetrics` layer on every poll, with nothing to publish (its counts go to its own in-memory metrics).
 */
export const createPowertoolsMetrics = (serviceName: string, options: { quiet?: boolean } = {}) =>
  new PowertoolsMetrics({
    namespace: METRICS_NAMESPACE,
    serviceName,
    ...(options.quiet ? { logger: SILENT } : {}),
  });
