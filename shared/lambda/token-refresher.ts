/**
 * The token refresher's logic behind its thin handler: a scheduled run refreshes every connection whose token
 * is close to expiry; a direct invoke (from a worker that saw INVALID_TOKEN) refreshes one connection if the
 * stored token is still the stale one. Expected outcomes are returned, never thrown, so the caller can act.
 */
import * as z from "zod";
import { ConfigError, ValidationError } from "../errors.js";
import type { AppLogger } from "../observability/logger.js";
import type { Metrics } from "../ports/metrics.js";
import type { RefreshOutcome } from "../ports/refresh-coordinator.js";
import type { RefreshRequest } from "../use-cases/refresh-connection.js";

/** A worker asking for one coordinated refresh. */
export const RefreshInvokeSchema = z.object({
  action: z.literal("refresh"),
  secretName: z.string().min(1),
  staleToken: z.string().min(1).nullable(),
});
/** EventBridge's scheduled event (other keys ignored). */
export const ScheduledEventSchema = z.looseObject({
  source: z.literal("aws.events"),
  "detail-type": z.literal("Scheduled Event"),
});

export interface TokenRefresherDeps {
  refresh: (request: RefreshRequest) => Promise<RefreshOutcome>;
  secretNames: string[];
  refreshAheadMs: number;
  metrics: Metrics;
  logger: AppLogger;
}

export type ScheduledResult = { secretName: string } & (RefreshOutcome | { outcome: "error"; error: string });

export function makeTokenRefresher(deps: TokenRefresherDeps) {
  return async function handle(raw: unknown): Promise<RefreshOutcome | { results: ScheduledResult[] }> {
    const invoke = RefreshInvokeSchema.safeParse(raw);
    if (!invoke.success && !ScheduledEventSchema.safeParse(raw).success) {
      throw new ValidationError(
        "token refresher: unrecognised event",
        invoke.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
      );
    }
    if (invoke.success) {
      const event = invoke.data;
      if (!deps.secretNames.includes(event.secretName))
        throw new ValidationError(`token refresher: "${event.secretName}" is not a connection of this stage`);
      return deps.refresh({ secretName: event.secretName, staleToken: event.staleToken });
    }
    const results: ScheduledResult[] = [];
    for (const secretName of deps.secretNames) {
      try {
        results.push({
          secretName,
          ...(await deps.refresh({ secretName, minRemainingMs: deps.refreshAheadMs })),
        });
      } catch (error) {
        // One bad connection must not stop the others; the use case already counted RefreshFailed for Zoho errors.
        if (error instanceof ConfigError) deps.metrics.count("ConnectionNotConfigured", 1, { secretName });
        deps.logger.error("scheduled refresh failed", { secretName, error });
        results.push({ secretName, outcome: "error", error: error instanceof Error ? error.name : "error" });
      }
    }
    deps.logger.info("scheduled refresh done", {
      results: results.map((r) => ({ secretName: r.secretName, outcome: r.outcome })),
    });
    return { results };
  };
}
