/**
 * Making a checked write in Zoho (`makeWrite`, called by `carryOut` only): one item per call through the ports
 * (which send `"trigger": []`), Zoho's refusal of the item turned into an UpstreamRejectedError (422) naming its
 * code and field, and after a CRM update the audit note that names the key, the tool and the call.
 */
import {
  NotFoundError,
  UpstreamRejectedError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
  ValidationError,
  WriteOutcomeUnknownError,
} from "../errors.js";
import type { ItemResult } from "../ports/zoho-crm.js";
import type { WriteOutcome } from "./definition.js";
import type { PreparedWrite, WriteDeps, WriteRequest } from "./write.js";

/** One line of agent text in the audit note: no line breaks, so it can never pose as another audit line. */
const oneLine = (s: string, max: number) => s.replace(/[\r\n\u2028\u2029]+/g, " ").slice(0, max);

/** The audit note's text; the `job:` line finds the call (or the proposal) it came from. */
export function agentAuditText(
  deps: Pick<WriteDeps, "key">,
  request: Pick<WriteRequest, "tool" | "jobId" | "reason" | "approvedBy">,
  fields: string[],
  mapped: PreparedWrite["mapped"],
): string {
  return [
    "AI agent update by zoho-gpt-mediator",
    `key: ${deps.key.name} (${deps.key.id})`,
    `tool: ${request.tool}`,
    `job: ${request.jobId}`,
    `fields changed: ${fields.join(", ")}`,
    ...(mapped.length
      ? [
          `picklist values mapped: ${mapped.map((m) => oneLine(`${m.field}: ${m.from} -> ${m.to}`, 200)).join("; ")}`,
        ]
      : []),
    ...(request.approvedBy ? [`approved by: ${oneLine(request.approvedBy, 100)}`] : []),
    ...(request.reason ? [`reason: ${oneLine(request.reason, 500)}`] : []),
  ].join("\n");
}

/** Zoho refused the record's id itself (INVALID_DATA on `id`: no such record), not one of its values. */
function refusedId(result: ItemResult | undefined): boolean {
  if (!result || result.ok || result.code !== "INVALID_DATA") return false;
  const details = (result.details ?? {}) as { api_name?: unknown; json_path?: unknown };
  return (
    result.field === "id" ||
    details.api_name === "id" ||
    (typeof details.json_path === "string" && details.json_path.endsWith(".id"))
  );
}

/** Zoho's answer for the one item sent: its id, or the refusal as a 422 naming Zoho's code and field. */
function itemId(deps: WriteDeps, result: ItemResult | undefined, what: string, module?: string): string {
  if (result?.ok) return result.id;
  if (module && result) deps.metadata.invalidateOnRejection(deps.key.connection, "crm", module, result);
  const code = result?.code ?? "NO_RESULT";
  throw new UpstreamRejectedError(
    "zoho-crm",
    `Zoho refused ${what}: ${code}${result?.field ? ` (field ${result.field})` : ""}; nothing was written`,
    code,
    result?.details,
    result?.field ? { field: result.field } : {},
  );
}

/**
 * A write that is not idempotent: a 5xx or no answer means Zoho may have made it, so the caller is told so
 * (WriteOutcomeUnknownError: never retried automatically) instead of "unavailable, call again", which could make it
 * twice. A 429 or a refused token stays retryable: Zoho did nothing.
 */
async function once<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof UpstreamUnavailableError || error instanceof UpstreamTimeoutError)
      throw new WriteOutcomeUnknownError(
        `Zoho failed while making ${what} (${error.message}): it may have been made; check before asking again`,
        { cause: error },
      );
    throw error;
  }
}

/** Makes the write in Zoho. The update's audit note is best effort: the data is written, a failed note is logged. */
export async function makeWrite(
  deps: WriteDeps,
  request: WriteRequest,
  prepared: PreparedWrite,
): Promise<WriteOutcome> {
  const { crm, desk } = deps.zoho;
  const w = prepared.write;
  switch (w.kind) {
    case "crm-update": {
      const [result] = await crm.updateRecords(w.module, [{ ...w.fields, id: w.id }]);
      if (refusedId(result))
        throw new NotFoundError("zoho-crm", `no ${w.module} record ${w.id}; nothing was written`);
      itemId(deps, result, `the update of ${w.module} ${w.id}`, w.module);
      const fields = Object.keys(w.fields);
      await auditNote(deps, request, w.module, w.id, agentAuditText(deps, request, fields, prepared.mapped));
      return { status: "written", recordId: w.id, fields, mapped: prepared.mapped };
    }
    case "crm-note": {
      const [result] = await once(`the note on ${w.module} ${w.id}`, () =>
        crm.createNotes([
          { module: w.module, recordId: w.id, content: w.content, ...(w.title ? { title: w.title } : {}) },
        ]),
      );
      return { status: "written", recordId: itemId(deps, result, `the note on ${w.module} ${w.id}`) };
    }
    case "crm-task": {
      const [result] = await once(`the task on ${w.module} ${w.id}`, () =>
        crm.createTasks([
          {
            module: w.module,
            recordId: w.id,
            subject: w.subject,
            ...(w.dueDate ? { dueDate: w.dueDate } : {}),
            ...(w.description ? { description: w.description } : {}),
          },
        ]),
      );
      return { status: "written", recordId: itemId(deps, result, `the task on ${w.module} ${w.id}`) };
    }
    case "desk-comment": {
      // A private comment: the trailer tells the support team which agent key wrote it.
      const trailer = `\n\n(AI agent ${deps.key.name} via zoho-gpt-mediator, job ${request.jobId})`;
      await once(`the comment on ticket ${w.ticketId}`, () =>
        desk.addPrivateComment(w.ticketId, `${w.content}${trailer}`),
      );
      return { status: "written", recordId: w.ticketId };
    }
    case "desk-draft": {
      const ticket = await desk.getTicket(w.ticketId);
      if (!ticket) throw new NotFoundError("zoho-desk", `ticket ${w.ticketId} does not exist`);
      const from = await deps.deskFrom.for(desk, deps.key.connection, ticket.departmentId);
      if (w.send && !ticket.email)
        throw new ValidationError(
          `ticket ${w.ticketId} has no contact e-mail address to send to; save a draft instead`,
          [],
          {
            httpStatus: 422,
          },
        );
      const reply = {
        content: w.content,
        fromEmailAddress: from,
        ...(ticket.email ? { to: ticket.email } : {}),
      };
      if (w.send) await once(`the reply on ticket ${w.ticketId}`, () => desk.sendReply(w.ticketId, reply));
      else await once(`the draft on ticket ${w.ticketId}`, () => desk.draftReply(w.ticketId, reply));
      return { status: "written", recordId: w.ticketId };
    }
  }
}

async function auditNote(
  deps: WriteDeps,
  request: WriteRequest,
  module: string,
  recordId: string,
  content: string,
): Promise<void> {
  try {
    const [result] = await deps.zoho.crm.createNotes([{ module, recordId, title: "AI update", content }]);
    if (result?.ok) return;
    deps.logger.error("agent update written but its audit note was refused", {
      jobId: request.jobId,
      module,
      code: result?.code,
    });
  } catch (error) {
    deps.logger.error("agent update written but its audit note failed", {
      jobId: request.jobId,
      module,
      error,
    });
  }
  deps.metrics?.count("ToolAuditNoteFailed");
}
