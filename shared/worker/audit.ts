/**
 * The audit trail of an AI write: which model and prompt version wrote which fields for which job, and which
 * picklist values were mapped. It is a step of the job's stored plan (see StoredPlan's `auditStep`): a CRM note
 * written after the update and retried like any write until it exists, or text carried inside a write step (the
 * `AUDIT_MODE=field` update, the Desk private comment). A job is done only when its audit trail exists.
 */
import type { ZohoHttpClient } from "../adapters/zoho/zoho-http-client.js";
import type { AuditInfo, AuditStep, StoredPlan } from "../schemas/stored-plan.js";
import type { PlannedWrite } from "../use-cases/worker/types.js";

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
export function auditStepFor(mode: "note" | "field", writes: PlannedWrite[]): AuditStep {
  const crm = writes.find((w) => w.kind === "crm-update");
  return mode === "note" && crm
    ? { kind: "crm-note", module: crm.module, id: crm.id, done: false }
    : { kind: "in-write" };
}

/** Every field the plan's CRM updates change (what the audit note lists). */
export const crmFieldsOf = (plan: StoredPlan): string[] =>
  plan.writes.flatMap((w) => (w.kind === "crm-update" ? Object.keys(w.proposed) : []));

/** The Notes API record of a plan's audit note. */
export function auditNote(useCase: string, plan: StoredPlan, step: Extract<AuditStep, { kind: "crm-note" }>) {
  return {
    Note_Title: "AI update",
    Note_Content: auditText(useCase, plan.audit, crmFieldsOf(plan)),
    Parent_Id: { module: { api_name: step.module }, id: step.id },
  };
}

/**
 * Whether the record already has this job's audit note: asked only when a unit resumes a stored plan, because an
 * earlier attempt may have written the note and failed (or timed out) before recording that it did.
 */
export async function auditNoteExists(
  zoho: ZohoHttpClient,
  step: Extract<AuditStep, { kind: "crm-note" }>,
  jobId: string,
): Promise<boolean> {
  const res = await zoho.request<{ data?: { Note_Content?: string | null }[] }>({
    service: "crm",
    method: "GET",
    path: `/crm/v8/${step.module}/${step.id}/Notes`,
    query: { fields: "Note_Title,Note_Content", per_page: "200", sort_order: "desc" },
  });
  return (res.data?.data ?? []).some((n) => (n.Note_Content ?? "").split("\n").includes(`job: ${jobId}`));
}
