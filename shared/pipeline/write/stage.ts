/** What the writers share: the batch's decisions so far, how to decide a failed unit, and where progress goes. */
import type { JobStore } from "../../ports/job-store.js";
import type { Metrics } from "../../ports/metrics.js";
import type { Decider, Decision } from "../decide.js";
import type { PipelineConfig } from "../deps.js";
import type { FieldMetadataCache } from "../field-metadata-cache.js";

export interface WriteStage {
  /** By message id; a unit with a decision is out of the write phase. */
  decisions: Map<string, Decision>;
  decide: Decider["decide"];
  quarantine: Decider["quarantine"];
  jobs: JobStore;
  metrics: Metrics;
  metadata: FieldMetadataCache;
  config: Pick<PipelineConfig, "audit" | "sendReplies">;
}
