/**
 * Writers whose steps run one after the other per unit (Desk, Creator, Books), in rounds: each round runs the next
 * step of every unit still writing (all at once, within the invocation's Zoho bound), then stores the round's
 * progress with one `savePlans`, so each unit's step is saved as done before its next one runs.
 */
import { withLogKeys } from "../../observability/log-context.js";
import type { ItemResult } from "../../ports/zoho-crm.js";
import { auditText, describeRefusal } from "../audit.js";
import type { FieldService } from "../field-metadata-cache.js";
import { MAX_CONTENT_LENGTH } from "../guard.js";
import { messageLogKeys } from "../log-scope.js";
import type { Unit } from "../unit.js";
import { saveProgress, type WriteStage } from "./stage.js";

/**
 * `next` writes the unit's next step of this writer and marks it done: true when it did, false when none is left
 * or it failed (and set the unit's decision).
 */
export async function writeInRounds(
  stage: WriteStage,
  units: readonly Unit[],
  has: (unit: Unit) => boolean,
  next: (stage: WriteStage, unit: Unit) => Promise<boolean>,
): Promise<void> {
  let live = units.filter((u) => has(u) && !stage.decisions.has(u.record.messageId));
  while (live.length > 0) {
    const moved = await Promise.all(
      live.map((unit) => withLogKeys(messageLogKeys(unit.message), () => next(stage, unit))),
    );
    const progressed = live.filter((_, i) => moved[i]);
    await saveProgress(stage, progressed);
    live = progressed.filter((u) => !stage.decisions.has(u.record.messageId));
  }
}

/** The index of the unit's first step of `kinds` not yet done, or -1. */
export const nextStep = (unit: Unit, isKind: (kind: string) => boolean): number =>
  unit.plan.writes.findIndex((w, i) => isKind(w.kind) && !unit.plan.done.includes(i));

/**
 * A step's result: done (marked, true), or refused by Zoho: the module's cached metadata dropped when Zoho named a
 * field, and the unit quarantined with Zoho's code (false).
 */
export async function settleStep(
  stage: WriteStage,
  unit: Unit,
  index: number,
  result: ItemResult,
  refused: { what: string; service: FieldService; module: string },
): Promise<boolean> {
  if (result.ok) {
    unit.plan.done.push(index);
    return true;
  }
  stage.metadata.invalidateOnRejection(unit.message.connection, refused.service, refused.module, result);
  const reason = `Zoho rejected the ${refused.what}: ${describeRefusal(result)}`;
  stage.decisions.set(unit.record.messageId, await stage.quarantine(unit, reason));
  return false;
}

/**
 * The audit trail's text of a Creator or Books plan: the values its update wrote (as the guard let them through) to
 * the `quote` fields, then the audit text (model, prompt version, job, fields changed).
 */
export function auditWithQuotes(
  unit: Unit,
  updateKind: "creator-update" | "books-update",
  quote: readonly string[],
) {
  const written = unit.plan.writes.flatMap((w) => (w.kind === updateKind ? [w.proposed] : []));
  const values = Object.assign({}, ...written) as Record<string, unknown>;
  const quoted = quote
    .filter((f) => Object.hasOwn(values, f))
    .map((f) => `${f}:\n${String(values[f])}`)
    .join("\n\n");
  const audit = auditText(unit.message.useCase, unit.plan.audit, Object.keys(values));
  return [quoted, audit].filter(Boolean).join("\n\n").slice(0, MAX_CONTENT_LENGTH);
}

/** Whether an audit text is this unit's job's (its `job:` line, as `auditText` writes it). */
export const hasJobLine = (text: string, unit: Unit): boolean =>
  text.split("\n").includes(`job: ${unit.plan.audit.jobId}`);
