/** What the writers share: the batch's decisions so far, how to decide a failed unit, and where progress goes. */
import type { JobStore } from "../../ports/job-store.js";
import type { Metrics } from "../../ports/metrics.js";
import type { Decider, Decision } from "../decide.js";
import type { PipelineConfig } from "../deps.js";
import type { FieldMetadataCache } from "../field-metadata-cache.js";
import type { Unit } from "../unit.js";

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

/**
 * The plans of units whose steps moved on, stored with one `savePlans` (one per kind of write, not per unit),
 * decided units included: a unit dead-lettered or retried after some of its steps were written keeps those steps
 * done, so its next attempt or its replay never writes them twice. When the save fails, each undecided unit is
 * decided with the error: the next attempt resumes its stored plan, and the writers that can tell (a create's
 * `existsBy`, the audit note's `job:` line) find what was written but not recorded.
 */
export async function saveProgress(stage: WriteStage, units: Iterable<Unit>): Promise<void> {
  const moved = [...new Set(units)];
  if (moved.length === 0) return;
  try {
    await stage.jobs.savePlans(moved.map((u) => ({ key: u.key, plan: u.plan })));
  } catch (error) {
    for (const unit of moved)
      if (!stage.decisions.has(unit.record.messageId))
        stage.decisions.set(unit.record.messageId, await stage.decide(unit, error));
  }
}
