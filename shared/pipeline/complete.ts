/**
 * The complete stage: the units whose every write and audit trail is done are marked done with one `completeMany`
 * (their duplicates are then acknowledged without work) and acknowledged. A unit with a step not done goes round
 * again to finish from its plan; a failed completion retries its units (their stored plans say every step is done,
 * so a redelivery only completes).
 */
import { withLogKeys } from "../observability/log-context.js";
import type { Decision } from "./decide.js";
import type { PipelineDeps } from "./deps.js";
import { messageLogKeys, unitsLogKeys } from "./log-scope.js";
import { isFinished, writtenOf } from "./plan.js";
import type { ProgressReport } from "./progress.js";
import type { Unit } from "./unit.js";
import type { WriteStage } from "./write/index.js";

/** Decides every unit given (none decided yet) and records the decisions. */
export async function completeUnits(
  deps: Pick<PipelineDeps, "jobs" | "clock" | "logger" | "metrics">,
  stage: Pick<WriteStage, "decide" | "decisions">,
  report: ProgressReport,
  units: readonly Unit[],
): Promise<void> {
  const inScope = (unit: Unit, fn: () => Promise<Decision>) =>
    withLogKeys(messageLogKeys(unit.message), async () =>
      stage.decisions.set(unit.record.messageId, await fn()),
    );
  const finished: Unit[] = [];
  for (const unit of units)
    if (isFinished(unit.plan)) finished.push(unit);
    // Never done without every write and the audit trail.
    else
      await inScope(unit, () =>
        stage.decide(unit, new Error("a step of the plan (a write or the audit trail) is not done")),
      );
  if (finished.length === 0) return;
  const completedAt = new Date(deps.clock.now()).toISOString();
  const written = new Map(finished.map((u) => [u, writtenOf(u.plan)]));
  try {
    await withLogKeys(unitsLogKeys(finished.map((u) => u.message)), () =>
      deps.jobs.completeMany(
        finished.map((unit) => ({
          key: unit.key,
          outcome: { ...unit.plan.audit, written: written.get(unit), completedAt },
        })),
      ),
    );
  } catch (error) {
    await Promise.all(finished.map((unit) => inScope(unit, () => stage.decide(unit, error))));
    return;
  }
  for (const unit of finished)
    await inScope(unit, async () => {
      const fields = written.get(unit) as string[];
      report(unit.message, "written", fields.join(", "));
      deps.metrics.count("Written", 1, { useCase: unit.message.useCase });
      deps.logger.info("unit of work written", {
        jobId: unit.message.jobId,
        useCase: unit.message.useCase,
        subject: unit.message.subject,
        fields,
      });
      return { messageId: unit.record.messageId, action: "ack", result: "written" };
    });
}
