/**
 * The claim stage: idempotency per unit of work, one job store request for the whole batch. A duplicate of a done
 * or dead-lettered job is acknowledged without work, a job another worker holds is retried later, and a re-claimed
 * job resumes the plan an earlier attempt stored (never writing a step twice).
 */
import type { ClaimRequest, ClaimResult, StoredPlan } from "../ports/job-store.js";
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

/** A unit to claim: its record, its message and its job key. */
export interface ClaimEntry {
  record: WorkRecord;
  message: WorkMessage;
  key: string;
}

/**
 * Claims a batch's jobs with one `claimMany`: a result per entry, in order. A job key that appears twice in the batch
 * (the same trigger delivered twice) is claimed once; its later entries get what a second claim would answer (busy
 * while the first holds it), so a batched store never sees one key twice in a request.
 */
export async function claimBatch(
  deps: Pick<PipelineDeps, "jobs" | "config">,
  entries: readonly ClaimEntry[],
): Promise<ClaimResult[]> {
  const first = new Map<string, number>();
  const requests: ClaimRequest[] = [];
  for (const { record, message, key } of entries) {
    if (first.has(key)) continue;
    first.set(key, requests.length);
    requests.push({ key, jobId: message.jobId, ...(record.replayId ? { replayId: record.replayId } : {}) });
  }
  const results = requests.length ? await deps.jobs.claimMany(requests, deps.config.leaseMs) : [];
  const seen = new Set<string>();
  return entries.map(({ key }) => {
    const result = results[first.get(key) as number] as ClaimResult;
    if (seen.has(key) && result.status === "claimed") return { status: "busy" };
    seen.add(key);
    return result;
  });
}

/** What a unit does after its claim: decided (duplicate, busy, a dead letter to move again), resume or fresh. */
export function claimOutcome(
  deps: Pick<PipelineDeps, "metrics">,
  report: ProgressReport,
  { record, message }: ClaimEntry,
  claim: ClaimResult,
): ClaimOutcome {
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
