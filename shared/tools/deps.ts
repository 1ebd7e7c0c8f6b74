/**
 * What the tool endpoint runs on: the tools it serves, the agent store, the job store (for job status), the Zoho
 * ports of each connection, live field metadata, and the clock, logger and metrics. The same for the Lambda
 * (`shared/lambda/deps/tools-deps.ts`), the local stack and tests (in-memory stores, fake Zoho ports).
 */
import type { AppLogger } from "../observability/logger.js";
import type { FieldMetadataCache } from "../pipeline/field-metadata-cache.js";
import type { ApiKeyStore, KeyLimits, ProposalStore, ToolCallLog } from "../ports/agent-store.js";
import type { Clock } from "../ports/clock.js";
import type { JobStore } from "../ports/job-store.js";
import type { Metrics } from "../ports/metrics.js";
import type { ZohoPortsFor } from "../ports/zoho.js";
import type { ToolDefinition, ToolsConfig } from "./definition.js";

export interface ToolsDeps {
  /** The tools served, in the order they are listed. @see TOOL_CATALOG */
  tools: readonly ToolDefinition[];
  keys: ApiKeyStore;
  limits: KeyLimits;
  proposals: ProposalStore;
  calls: ToolCallLog;
  jobs: JobStore;
  /** A connection's Zoho ports (one client per connection and container). */
  zohoFor: ZohoPortsFor;
  metadata: FieldMetadataCache;
  clock: Clock;
  logger: AppLogger;
  /** Counts ToolCalls, ToolAuthFailed, ToolForbidden, ToolRateLimited, ToolWriteBudgetExhausted, ToolWrites, ToolErrors. */
  metrics: Metrics;
  config: ToolsConfig;
}

/** The metric names the tools emit and the stack's alarms watch (namespace and service as the other functions). */
export const TOOL_METRICS = {
  calls: "ToolCalls",
  authFailed: "ToolAuthFailed",
  forbidden: "ToolForbidden",
  rateLimited: "ToolRateLimited",
  budgetExhausted: "ToolWriteBudgetExhausted",
  writes: "ToolWrites",
  errors: "ToolErrors",
} as const;
