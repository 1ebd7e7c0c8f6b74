/**
 * The plan stage: the guarded writes stored as the job's plan, with the audit information and the cap slot it
 * holds, before anything is written. Each step is marked done as it reaches Zoho, so a redelivery resumes the plan.
 */
import type { PlannedWrite } from "../domain/planned-write.js";
import type { CapSlot, StoredPlan } from "../ports/job-store.js";
import type { LlmUsage } from "../ports/llm.js";
import type { ModelCall } from "./ask.js";
import { auditStepFor } from "./audit.js";

export function newPlan(args: {
  writes: PlannedWrite[];
  model: string;
  promptVersion: string;
  jobId: string;
  usage: LlmUsage;
  calls?: ModelCall[];
  outcome?: Record<string, unknown> | undefined;
  mappings: string[];
  dropped: string[];
  auditMode: "note" | "field";
  capSlot: CapSlot;
}): StoredPlan {
  return {
    writes: args.writes,
    done: [],
    audit: {
      model: args.model,
      promptVersion: args.promptVersion,
      jobId: args.jobId,
      usage: args.usage,
      ...(args.calls ? { calls: args.calls } : {}),
      ...(args.outcome ? { outcome: args.outcome } : {}),
      mappings: args.mappings,
      ...(args.dropped.length ? { dropped: args.dropped } : {}),
    },
    auditStep: auditStepFor(args.auditMode, args.writes),
    capSlot: args.capSlot,
  };
}

/** Every write of the plan is done, and its audit trail exists. */
export const isFinished = (plan: StoredPlan): boolean =>
  plan.writes.every((_, index) => plan.done.includes(index)) &&
  (plan.auditStep.kind !== "crm-note" || plan.auditStep.done);

/** What the job's completion records as written: the fields of updates, the kind of every other step. */
export const writtenOf = (plan: StoredPlan): string[] =>
  plan.writes.flatMap((w) =>
    w.kind === "crm-update" || w.kind === "desk-ticket-update" ? Object.keys(w.proposed) : [w.kind],
  );
