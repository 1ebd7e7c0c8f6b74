/**
 * The Desk writers, per unit and in the plan's order: a new ticket (its id kept in the plan's `created`), the
 * ticket's custom fields, a private comment (carrying the audit text), a draft reply (or a sent one when the
 * deployment opts in). Each step is saved as done before the next, so a retry never posts the same comment or draft
 * again; the batch's units write their steps side by side.
 */
import type { WriteOf } from "../../domain/planned-write.js";
import { auditText } from "../audit.js";
import { MAX_CONTENT_LENGTH } from "../guard.js";
import type { Unit } from "../unit.js";
import { writeInRounds } from "./rounds.js";
import type { WriteStage } from "./stage.js";

const isDeskWrite = (w: { kind: string }) => w.kind.startsWith("desk-");

export const hasDeskWrites = (unit: Unit): boolean => unit.plan.writes.some(isDeskWrite);

/** Every unit's Desk steps, each unit's in order (`writeInRounds`). */
export const writeDeskUnits = (stage: WriteStage, units: readonly Unit[]): Promise<void> =>
  writeInRounds(stage, units, hasDeskWrites, writeNextDeskStep);

/** The unit's next Desk step: true when written (and marked done), false when none is left or it failed (decided). */
async function writeNextDeskStep(stage: WriteStage, unit: Unit): Promise<boolean> {
  const { writes } = unit.plan;
  const desk = unit.zoho.desk;
  const ticketFields = writes.find(
    (w): w is WriteOf<"desk-ticket-update"> => w.kind === "desk-ticket-update",
  );
  const index = writes.findIndex((w, i) => isDeskWrite(w) && !unit.plan.done.includes(i));
  const write = writes[index];
  if (!write) return false;
  try {
    if (write.kind === "desk-ticket-create") {
      const created = await desk.createTicket({
        subject: write.subject,
        description: write.description,
        email: write.email,
        ...(write.contactName ? { contactName: write.contactName } : {}),
      });
      unit.plan.created = { ...unit.plan.created, [String(index)]: created.id };
    } else if (write.kind === "desk-ticket-update") {
      await desk.updateTicketFields(write.ticketId, write.proposed);
    } else if (write.kind === "desk-comment") {
      const audit = auditText(
        unit.message.useCase,
        unit.plan.audit,
        Object.keys(ticketFields?.proposed ?? {}),
      );
      await desk.addPrivateComment(
        write.ticketId,
        `${write.content}\n\n${audit}`.slice(0, MAX_CONTENT_LENGTH),
      );
    } else if (write.kind === "desk-reply") {
      const { sendReplies } = stage.config;
      const from = write.fromEmailAddress ?? sendReplies.fromAddress;
      const reply = {
        content: write.content,
        ...(write.to ? { to: write.to } : {}),
        ...(from ? { fromEmailAddress: from } : {}),
      };
      if (sendReplies.enabled && from && write.to) await desk.sendReply(write.ticketId, reply);
      else await desk.draftReply(write.ticketId, reply);
    }
    unit.plan.done.push(index);
    return true;
  } catch (error) {
    if (write.kind === "desk-ticket-update")
      stage.metadata.invalidateOnRejection(unit.message.connection, "desk", "tickets", error);
    stage.decisions.set(unit.record.messageId, await stage.decide(unit, error));
    return false;
  }
}
