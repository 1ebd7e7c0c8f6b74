/**
 * Every unit ends in exactly one decision: `ack` (written, duplicate), `retry` (back to the queue after the
 * backoff), `defer` (re-queued to wait for a budget, a repaired connection or Zoho credits, without using up
 * receives) or `dead-letter` (with the reason). This stage turns an error into one, and releases or forgets the
 * unit's claim accordingly; the SQS batch executor (`shared/lambda/sqs-batch.ts`) carries decisions out.
 */
import { randomUUID } from "node:crypto";
import { backoffDelay } from "../domain/backoff.js";
import { waitDelay } from "../domain/waiting.js";
import { AppError, ConnectionBrokenError, RefreshThrottledError, WorkMustWaitError } from "../errors.js";
import type { StoredPlan } from "../ports/job-store.js";
import { anyStepDone } from "../schemas/stored-plan.js";
import type { WorkMessage } from "../schemas/work-message.js";
import type { WriteCap } from "./cap.js";
import type { PipelineDeps } from "./deps.js";
import type { ProgressReport } from "./progress.js";
import type { WorkRecord } from "./record.js";

export type Decision =
  | { messageId: string; action: "ack"; result: "written" | "duplicate" }
  | { messageId: string; action: "retry"; delayMs: number; reason: string }
  | { messageId: string; action: "defer"; delayMs: number; reason: string }
  | { messageId: string; action: "dead-letter"; reason: string; deadLetterId: string };

/** What is known of a unit when it is decided: at least its record; its message and job key once read. */
export interface UnitRef {
  record: WorkRecord;
  message?: WorkMessage | undefined;
  key?: string | undefined;
}

/** The model failed its schema twice: the unit goes to the dead-letter queue. */
export class ModelOutputRejected extends Error {
  override name = "ModelOutputRejected";
}

export type Decider = ReturnType<typeof makeDecider>;

/**
 * `plans` holds the plans of the units in this batch's write phase, by job key: a dead letter of a plan that wrote
 * nothing gives its cap slot back.
 */
export function makeDecider(
  deps: Pick<PipelineDeps, "jobs" | "logger" | "metrics" | "config">,
  report: ProgressReport,
  writeCap: WriteCap,
  plans: ReadonlyMap<string, StoredPlan>,
) {
  const { config, logger, metrics } = deps;
  const release = (key: string | undefined) => (key ? deps.jobs.release(key).catch(() => {}) : undefined);

  /** Turns an error into a decision. */
  async function decide(unit: UnitRef, error: unknown): Promise<Decision> {
    const { record, message, key } = unit;
    if (error instanceof ModelOutputRejected) return quarantine(unit, error.message);
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const waits =
      error instanceof ConnectionBrokenError ||
      error instanceof RefreshThrottledError ||
      error instanceof WorkMustWaitError;
    const waitMs = waits ? waitDelay(error, record.deferrals, config) : undefined;
    if (waits && waitMs !== undefined) {
      await release(key);
      if (message) report(message, "deferred", reason);
      metrics.count("Deferred", 1, { reason: error.kind });
      return { messageId: record.messageId, action: "defer", delayMs: waitMs, reason };
    }
    const retryable = error instanceof AppError ? error.retryable && !waits : true;
    if (retryable && record.receiveCount < config.maxReceiveCount) {
      await release(key);
      if (message) report(message, "retry", reason);
      metrics.count("Retried", 1, { kind: error instanceof AppError ? error.kind : "bug" });
      if (!(error instanceof AppError))
        logger.error("unexpected error in the worker", { error, jobId: message?.jobId });
      const retryAfterMs = error instanceof AppError ? error.retryAfterMs : undefined;
      return {
        messageId: record.messageId,
        action: "retry",
        delayMs: backoffDelay(record.receiveCount, config.retryBaseMs, retryAfterMs),
        reason,
      };
    }
    return quarantine(unit, reason);
  }

  /** The dead-letter decision, recorded on the job first (so its duplicates are acknowledged without work). */
  async function quarantine(unit: UnitRef, reason: string): Promise<Decision> {
    const { record, message, key } = unit;
    const deadLetterId = randomUUID();
    if (key) {
      // A plan that wrote nothing gives its cap slot back: a refused or failed write cannot start a loop.
      const plan = plans.get(key);
      if (plan && !anyStepDone(plan))
        await writeCap
          .giveBack(plan.capSlot)
          .catch((error) => logger.warn("cap slot not given back", { error }));
      // The job stays dead-lettered: duplicates are acknowledged without work; only a replay of this dead letter
      // runs it again. If this fails the record stays on the queue (the handler cannot move it), so nothing is lost.
      try {
        await deps.jobs.deadLetter(key, { reason, deadLetterId, messageId: record.messageId });
      } catch (error) {
        logger.error("could not record a dead letter; the unit stays on the queue", { error, reason });
        await release(key);
        return {
          messageId: record.messageId,
          action: "retry",
          delayMs: backoffDelay(record.receiveCount, config.retryBaseMs),
          reason: `could not record the dead letter (${reason})`,
        };
      }
    }
    if (message) report(message, "quarantined", reason);
    metrics.count("Quarantined", 1, { useCase: message?.useCase ?? "unknown" });
    logger.warn("unit of work quarantined", { jobId: message?.jobId, useCase: message?.useCase, reason });
    return { messageId: record.messageId, action: "dead-letter", reason, deadLetterId };
  }

  return { decide, quarantine };
}
