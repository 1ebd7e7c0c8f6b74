/**
 * The claim stage: idempotency per unit of work. A duplicate of a done or dead-lettered job is acknowledged without
 * work, a job another worker holds is retried later, and a re-claimed job resumes the plan an earlier attempt
 * stored (never writing a step twice).
 */
import type { StoredPlan } from "../ports/job-store.js";
import { anyStepDone } from "../schemas/stored-plan.js";
import type { WorkMessage } from "../schemas/work-message.js";
import type { Decision } from "./decide.js";
import type { PipelineDeps } from "./deps.js";
import type { ProgressReport } from "./progress.js";
import type { WorkRecord } from "./record.js";

/** How long a unit whose job another worker holds stays away. */
export const BUSY_RETRY_MS = 30_000;

export type ClaimOutcome =
  | { kind: "decided"; decision: Decision }
  | { kind: "resume"; plan: StoredPlan }
  | { kind: "fresh" };

export async function claimJob(
  deps: Pick<PipelineDeps, "jobs" | "metrics" | "config">,
  report: ProgressReport,
  record: WorkRecord,
  message: WorkMessage,
  key: string,
): Promise<ClaimOutcome> {
  const claim = await deps.jobs.claim(
    key,
    message.jobId,
    deps.config.leaseMs,
    record.replayId ? { replayId: record.replayId } : {},
  );
  const decided = (decision: Decision): ClaimOutcome => ({ kind: "decided", decision });
  if (claim.status === "dead-lettered" && claim.messageId === record.messageId)
    // The very message that was dead-lettered is back: moving it to the dead-letter queue failed. Move it again.
    return decided({
      messageId: record.messageId,
      action: "dead-letter",
      reason: claim.reason,
      deadLetterId: claim.deadLetterId,
    });
  if (claim.status === "done" || claim.status === "dead-lettered") {
    // A dead-lettered job's duplicate (or a second replay of one dead letter) does no work: its dead letter is the
    // one place the event waits, and only a replay of it runs the job again.
    report(message, "duplicate", claim.status === "dead-lettered" ? "of a dead-lettered job" : undefined);
    deps.metrics.count("Duplicate", 1, { useCase: message.useCase });
    return decided({ messageId: record.messageId, action: "ack", result: "duplicate" });
  }
  if (claim.status === "busy")
    return decided({
      messageId: record.messageId,
      action: "retry",
      delayMs: BUSY_RETRY_MS,
      reason: "another worker holds this job",
    });
  // A replay resumes a plan that wrote something (never writing a step twice); one that wrote nothing starts over,
  // so a cause fixed since (a field, a picklist, the model) takes effect.
  if (claim.plan && !(claim.replay && !anyStepDone(claim.plan))) return { kind: "resume", plan: claim.plan };
  return { kind: "fresh" };
}
