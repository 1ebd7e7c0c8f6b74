/**
 * The guard stage: every write the use case planned, checked against Zoho's live metadata and the use case's
 * allow-list before anything is written. All or nothing, except values the use case may drop (named in the audit
 * trail). A Desk reply gets its from address here, so a missing one stops the unit before any write.
 */
import type { PlannedWrite } from "../domain/planned-write.js";
import { guardPartial } from "../domain/write-guard.js";
import type { ZohoPorts } from "../ports/zoho.js";
import type { AuditTarget } from "../use-cases/descriptor.js";
import type { DeskFromAddress } from "./desk-from-address.js";
import type { FieldMetadataCache } from "./field-metadata-cache.js";

/** Zoho's longest note, comment and reply text. */
export const MAX_CONTENT_LENGTH = 32_000;

export type Guarded =
  | { ok: true; writes: PlannedWrite[]; mappings: string[]; dropped: string[] }
  | { ok: false; reason: string };

export async function guardWrites(
  deps: { metadata: FieldMetadataCache; deskFrom: DeskFromAddress },
  zoho: ZohoPorts,
  connection: string,
  planned: readonly PlannedWrite[],
): Promise<Guarded> {
  const writes: PlannedWrite[] = [];
  const problems: string[] = [];
  const mappings: string[] = [];
  const dropped: string[] = [];
  const contentFits = (kind: string, content: string) => {
    if (content.length > 0 && content.length <= MAX_CONTENT_LENGTH) return true;
    problems.push(`${kind}: content must be 1 to ${MAX_CONTENT_LENGTH} characters`);
    return false;
  };
  for (const write of planned) {
    switch (write.kind) {
      case "crm-update":
      case "desk-ticket-update": {
        const fields =
          write.kind === "crm-update"
            ? await deps.metadata.fields(zoho, connection, "crm", write.module)
            : await deps.metadata.fields(zoho, connection, "desk", "tickets");
        const result = guardPartial(write.proposed, fields, write.allowList, write.droppable);
        if (!result.ok) problems.push(...result.problems.map((p) => `${p.field}: ${p.reason}`));
        else {
          writes.push({ ...write, proposed: result.fields });
          mappings.push(...result.mapped.map((m) => `${m.field} "${m.from}" -> "${m.to}"`));
          dropped.push(...result.dropped.map((p) => `${p.field}: ${p.reason}`));
        }
        break;
      }
      case "crm-task":
        if (write.subject.trim().length === 0) problems.push("crm-task: the subject is empty");
        else writes.push(write);
        break;
      case "desk-reply":
        if (contentFits(write.kind, write.content)) {
          // Desk refuses an e-mail draft or reply without an active from address: resolved before any write.
          const from = await deps.deskFrom.for(zoho.desk, connection, write.departmentId);
          writes.push({ ...write, fromEmailAddress: from });
        }
        break;
      default:
        if (contentFits(write.kind, write.content)) writes.push(write);
    }
  }
  return problems.length
    ? { ok: false, reason: `write guard rejected the model output: ${problems.join("; ")}` }
    : { ok: true, writes, mappings, dropped };
}

/** Leaves a human-readable trace on the record when a write was refused. Best effort: never throws. */
export async function leaveQuarantineNote(
  zoho: ZohoPorts,
  target: AuditTarget,
  text: string,
  onError: (error: unknown) => void,
): Promise<void> {
  try {
    if (target.service === "crm")
      await zoho.crm.createNotes([
        { module: target.module, recordId: target.id, title: "AI write quarantined", content: text },
      ]);
    else await zoho.desk.addPrivateComment(target.ticketId, text);
  } catch (error) {
    onError(error);
  }
}
