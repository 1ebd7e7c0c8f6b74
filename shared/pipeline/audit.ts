/**
 * The audit trail of an AI write: which model and prompt version wrote which fields for which job, and which
 * picklist values were mapped. It is a step of the job's stored plan (`auditStep`): a CRM note written after the
 * CRM writes and retried like any write until it exists (`createNotes`, batched per connection and 100 notes; a
 * resumed plan first looks for it with `listNotes`), or text carried inside a write step (the `AUDIT_MODE=field`
 * update, the Desk private comment). A job is done only when its audit trail exists.
 */
import type { PlannedWrite } from "../domain/planned-write.js";
import type { AuditInfo, AuditStep, StoredPlan } from "../ports/job-store.js";
import type { NewNote, ZohoCrm } from "../ports/zoho-crm.js";
import type { Unit } from "./unit.js";
import { chunksOf } from "./write/batch.js";
import { saveProgress, type WriteStage } from "./write/stage.js";

type NoteStep = Extract<AuditStep, { kind: "crm-note" }>;

/** The audit text (also the `AUDIT_MODE=field` value). The `job:` line is how a retry finds a note it already wrote. */
export function auditText(useCase: string, audit: AuditInfo, fields: string[]): string {
  return [
    `AI ${useCase} by zoho-gpt-mediator`,
    `model: ${audit.model}`,
    `prompt: ${audit.promptVersion}`,
    `job: ${audit.jobId}`,
    `fields changed: ${fields.join(", ") || "none"}`,
    ...(audit.mappings.length ? [`picklist values mapped: ${audit.mappings.join("; ")}`] : []),
    ...(audit.dropped?.length
      ? [`not written (the field would refuse it): ${audit.dropped.join("; ")}`]
      : []),
  ].join("\n");
}

/**
 * The audit step a new plan gets: a note on the CRM record when the audit is a note and the plan updates CRM;
 * otherwise the trail travels inside a write (the audit field in the update, or the Desk comment).
 */
export function auditStepFor(mode: "note" | "field", writes: readonly PlannedWrite[]): AuditStep {
  const crm = writes.find((w) => w.kind === "crm-update");
  if (mode === "note" && crm) return { kind: "crm-note", module: crm.module, id: crm.id, done: false };
  // A plan that creates the record (an e-mail from an unknown sender) leaves its note on the created record.
  const created = writes.findIndex((w) => w.kind === "crm-create");
  const create = writes[created];
  if (create?.kind === "crm-create")
    return { kind: "crm-note", module: create.module, id: { fromStep: created }, done: false };
  return { kind: "in-write" };
}

/** The record id of the audit note: as planned, or the id the plan's `crm-create` step created. */
const noteRecordId = (plan: StoredPlan, step: NoteStep): string | undefined =>
  typeof step.id === "string" ? step.id : plan.created?.[String(step.id.fromStep)];

/** Every field the plan's CRM updates and creates set (what the audit note lists). */
export const crmFieldsOf = (plan: StoredPlan): string[] =>
  plan.writes.flatMap((w) =>
    w.kind === "crm-update" || w.kind === "crm-create" ? Object.keys(w.proposed) : [],
  );

/** The note of a plan's audit step (its record resolved: see `noteRecordId`). */
export const auditNote = (useCase: string, plan: StoredPlan, step: NoteStep): NewNote => ({
  module: step.module,
  recordId: noteRecordId(plan, step) as string,
  title: "AI update",
  content: auditText(useCase, plan.audit, crmFieldsOf(plan)),
});

/**
 * Whether the record already has this job's audit note: asked only when a unit resumes a stored plan, because an
 * earlier attempt may have written the note and failed (or timed out) before recording that it did.
 */
export async function auditNoteExists(
  crm: ZohoCrm,
  step: NoteStep,
  recordId: string,
  jobId: string,
): Promise<boolean> {
  const notes = await crm.listNotes(step.module, recordId, 200);
  return notes.some((n) => n.content.split("\n").includes(`job: ${jobId}`));
}

const isCrmWrite = (w: PlannedWrite) =>
  w.kind === "crm-create" || w.kind === "crm-update" || w.kind === "crm-note" || w.kind === "crm-task";

/** The CRM audit notes of the units whose CRM writes are all done: one call per connection and 100 notes. */
export async function writeAuditNotes(stage: WriteStage, units: readonly Unit[]): Promise<void> {
  const { decisions, decide, quarantine, metrics } = stage;
  const pending: { unit: Unit; step: NoteStep }[] = [];
  /** Units whose audit step is newly done: stored with one `savePlans` at the end. */
  const noted: Unit[] = [];
  for (const unit of units) {
    const step = unit.plan.auditStep;
    if (step.kind !== "crm-note" || step.done || decisions.has(unit.record.messageId)) continue;
    if (!unit.plan.writes.every((w, i) => !isCrmWrite(w) || unit.plan.done.includes(i))) continue;
    const recordId = noteRecordId(unit.plan, step);
    if (!recordId) continue;
    if (unit.resumed) {
      // An earlier attempt may have written the note and failed before recording it: look before writing.
      try {
        if (await auditNoteExists(unit.zoho.crm, step, recordId, unit.message.jobId)) {
          step.done = true;
          noted.push(unit);
          continue;
        }
      } catch (error) {
        decisions.set(unit.record.messageId, await decide(unit, error));
        continue;
      }
    }
    pending.push({ unit, step });
  }
  for (const chunk of chunksOf(pending, (n) => n.unit.message.connection)) {
    const crm = chunk[0]?.unit.zoho.crm;
    if (!crm) continue;
    let results: Awaited<ReturnType<ZohoCrm["createNotes"]>>;
    try {
      results = await crm.createNotes(
        chunk.map(({ unit, step }) => auditNote(unit.message.useCase, unit.plan, step)),
      );
    } catch (error) {
      // The data is written and recorded; the note is retried alone (the update is not written again).
      metrics.count("AuditNoteFailed", chunk.length);
      for (const { unit } of chunk) decisions.set(unit.record.messageId, await decide(unit, error));
      continue;
    }
    for (const [k, { unit, step }] of chunk.entries()) {
      const r = results[k];
      if (r?.ok) {
        step.done = true;
        noted.push(unit);
      } else {
        metrics.count("AuditNoteFailed", 1);
        const reason = `Zoho rejected the audit note (the update is written): ${describeRefusal(r)}`;
        decisions.set(unit.record.messageId, await quarantine(unit, reason));
      }
    }
  }
  // A failed save: the next attempt resumes the plan and finds the note.
  await saveProgress(stage, noted);
}

/** Zoho's code and details of a refused item, bounded (details name fields and limits, never values). */
export function describeRefusal(
  r: { ok: false; code: string; details?: unknown } | { ok: true } | undefined,
): string {
  if (!r) return "no result {}";
  if (r.ok) return "success";
  return `${r.code} ${JSON.stringify(r.details ?? {}).slice(0, 300)}`;
}
