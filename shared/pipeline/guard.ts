/**
 * The guard stage: every write the use case planned, checked against Zoho's live metadata and the use case's
 * allow-list before anything is written. All or nothing, except values the use case may drop (named in the audit
 * trail). A Desk reply gets its from address here, so a missing one stops the unit before any write.
 */
import type { PlannedWrite, RecordRef, WriteOf } from "../domain/planned-write.js";
import { guardPartial } from "../domain/write-guard.js";
import type { ZohoPorts } from "../ports/zoho.js";
import type { AuditTarget } from "../use-cases/descriptor.js";
import type { DeskFromAddress } from "./desk-from-address.js";
import type { FieldMetadataCache, FieldService } from "./field-metadata-cache.js";

/** Zoho's longest note, comment and reply text. */
export const MAX_CONTENT_LENGTH = 32_000;
/** Desk's longest ticket subject and description (Ticket.json of Desk's OAS). */
export const MAX_TICKET_SUBJECT = 1_000;
export const MAX_TICKET_DESCRIPTION = 65_535;

const ZOHO_ID = /^\d{1,19}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A record reference is an id, or the index of a `crm-create` earlier in the same plan. */
function refProblem(
  kind: string,
  id: RecordRef,
  planned: readonly PlannedWrite[],
  at: number,
): string | undefined {
  if (typeof id === "string") return undefined;
  const target = planned[id.fromStep];
  return id.fromStep < at && target?.kind === "crm-create"
    ? undefined
    : `${kind}: step ${id.fromStep} is not an earlier crm-create of the plan`;
}

/** The metadata an update is guarded against: its product and module (Creator `app/form`, Books entity). */
function fieldsOf(
  write: WriteOf<"crm-update" | "desk-ticket-update" | "creator-update" | "books-update">,
): [FieldService, string] {
  switch (write.kind) {
    case "crm-update":
      return ["crm", write.module];
    case "desk-ticket-update":
      return ["desk", "tickets"];
    case "creator-update":
      return ["creator", `${write.app}/${write.form}`];
    case "books-update":
      return ["books", write.entity];
  }
}

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
  for (const [at, write] of planned.entries()) {
    switch (write.kind) {
      case "crm-create": {
        const fields = await deps.metadata.fields(zoho, connection, "crm", write.module);
        const result = guardPartial(write.proposed, fields, write.allowList);
        if (!result.ok) {
          problems.push(...result.problems.map((p) => `${p.field}: ${p.reason}`));
          break;
        }
        // Zoho refuses a record without its mandatory fields: caught here, before any write of the plan.
        const missing = fields
          .filter((f) => f.mandatory && !f.readOnly)
          .filter((f) => {
            const v = result.fields[f.name];
            return v === undefined || v === null || (typeof v === "string" && v.trim() === "");
          })
          .map((f) => f.name);
        if (missing.length) {
          problems.push(`crm-create ${write.module}: mandatory field ${missing.join(", ")} missing`);
          break;
        }
        writes.push({ ...write, proposed: result.fields });
        mappings.push(...result.mapped.map((m) => `${m.field} "${m.from}" -> "${m.to}"`));
        break;
      }
      case "crm-note": {
        const bad = refProblem(write.kind, write.id, planned, at);
        if (bad) problems.push(bad);
        else if (contentFits(write.kind, write.content)) writes.push(write);
        break;
      }
      case "desk-ticket-create":
        if (write.subject.trim().length === 0 || write.subject.length > MAX_TICKET_SUBJECT)
          problems.push(`desk-ticket-create: the subject must be 1 to ${MAX_TICKET_SUBJECT} characters`);
        else if (write.description.length === 0 || write.description.length > MAX_TICKET_DESCRIPTION)
          problems.push(
            `desk-ticket-create: the description must be 1 to ${MAX_TICKET_DESCRIPTION} characters`,
          );
        else if (!EMAIL.test(write.email))
          problems.push("desk-ticket-create: the e-mail address is not valid");
        else writes.push(write);
        break;
      case "crm-update":
      case "desk-ticket-update":
      case "creator-update":
      case "books-update": {
        if ((write.kind === "creator-update" || write.kind === "books-update") && !ZOHO_ID.test(write.id)) {
          problems.push(`${write.kind}: the record id is not a Zoho id`);
          break;
        }
        const [service, module] = fieldsOf(write);
        const fields = await deps.metadata.fields(zoho, connection, service, module);
        const result = guardPartial(write.proposed, fields, write.allowList, write.droppable);
        if (!result.ok) problems.push(...result.problems.map((p) => `${p.field}: ${p.reason}`));
        else {
          writes.push({ ...write, proposed: result.fields });
          mappings.push(...result.mapped.map((m) => `${m.field} "${m.from}" -> "${m.to}"`));
          dropped.push(...result.dropped.map((p) => `${p.field}: ${p.reason}`));
        }
        break;
      }
      case "crm-task": {
        const bad =
          refProblem(write.kind, write.id, planned, at) ??
          (write.subject.trim().length === 0 ? "crm-task: the subject is empty" : undefined) ??
          (write.dueDate !== undefined && !ISO_DATE.test(write.dueDate)
            ? "crm-task: the due date is not YYYY-MM-DD"
            : undefined) ??
          (write.ownerId !== undefined && !ZOHO_ID.test(write.ownerId)
            ? "crm-task: the owner is not a Zoho user id"
            : undefined);
        if (bad) problems.push(bad);
        else writes.push(write);
        break;
      }
      case "desk-reply":
        if (contentFits(write.kind, write.content)) {
          // Desk refuses an e-mail draft or reply without an active from address: resolved before any write.
          const from = await deps.deskFrom.for(zoho.desk, connection, write.departmentId);
          writes.push({ ...write, fromEmailAddress: from });
        }
        break;
      case "creator-audit":
      case "books-comment":
        // Its text is built when written, from what the guarded update wrote: nothing of the model's here.
        writes.push(write);
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
    else if (target.service === "desk") await zoho.desk.addPrivateComment(target.ticketId, text);
    else if (target.service === "books" && target.entity !== "contacts")
      await zoho.books.addComment(target.entity, target.id, text);
    // `none`: no record exists yet to leave a note on; Creator has no comments (the dead letter carries the reason).
  } catch (error) {
    onError(error);
  }
}
