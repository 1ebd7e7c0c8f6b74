/**
 * The complete stage: a unit whose every write and audit trail is done is marked done (its duplicates are then
 * acknowledged without work) and acknowledged. A unit with a step not done goes round again to finish from its
 * plan; a failed completion retries that unit alone (its stored plan says every step is done).
 */
import type { Decision } from "./decide.js";
import type { PipelineDeps } from "./deps.js";
import { isFinished, writtenOf } from "./plan.js";
import type { ProgressReport } from "./progress.js";
import type { Unit } from "./unit.js";
import type { WriteStage } from "./write/index.js";

export async function completeUnit(
  deps: Pick<PipelineDeps, "jobs" | "clock" | "logger" | "metrics">,
  stage: Pick<WriteStage, "decide">,
  report: ProgressReport,
  unit: Unit,
): Promise<Decision> {
  if (!isFinished(unit.plan))
    // Never done without every write and the audit trail.
    return stage.decide(unit, new Error("a step of the plan (a write or the audit trail) is not done"));
  const written = writtenOf(unit.plan);
  try {
    await deps.jobs.complete(unit.key, {
      ...unit.plan.audit,
      written,
      completedAt: new Date(deps.clock.now()).toISOString(),
    });
  } catch (error) {
    return stage.decide(unit, error);
  }
  report(unit.message, "written", written.join(", "));
  deps.metrics.count("Written", 1, { useCase: unit.message.useCase });
  deps.logger.info("unit of work written", {
    jobId: unit.message.jobId,
    useCase: unit.message.useCase,
    subject: unit.message.subject,
    fields: written,
  });
  return { messageId: unit.record.messageId, action: "ack", result: "written" };
}
