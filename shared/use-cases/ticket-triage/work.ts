/**
 * Desk ticket triage, the pipeline part: load the ticket and its latest messages, ask for a summary, sentiment,
 * urgency, category and a suggested reply, and plan the ticket's AI fields, a private comment and a draft reply
 * (sent only when the deployment opts in).
 */
import * as z from "zod";
import { type Binding, droppableFields, withFieldMap } from "../../domain/output-targets.js";
import type { PlannedWrite } from "../../domain/planned-write.js";
import { NotFoundError } from "../../errors.js";
import type { DeskTicket } from "../../ports/zoho-desk.js";
import { DATA_RULES, dataBlock } from "../../prompts/data-block.js";
import { outputShape, perBinding } from "../../prompts/output-shape.js";
import { ZohoIdSchema } from "../../schemas/work-message.js";
import type { UseCaseSettings, UseCaseWork, WorkContext } from "../descriptor.js";
import { TICKET_MAPPING } from "./targets.js";

export const TicketInputSchema = z.looseObject({
  ticketId: ZohoIdSchema,
  eventType: z.string(),
  threadId: ZohoIdSchema.optional(),
  /** The ticket as its Ticket_Add event carried it (the Desk route's bounded copy), used while the trigger is fresh. */
  ticket: z
    .object({
      subject: z.string(),
      description: z.string().optional(),
      status: z.string().optional(),
      priority: z.string().optional(),
      email: z.string().optional(),
      departmentId: ZohoIdSchema.optional(),
      modifiedTime: z.string().optional(),
    })
    .optional(),
});
type TicketInput = z.infer<typeof TicketInputSchema>;

/**
 * Outputs always asked for: the summary (for the private comment; when the org has a summary field, its bound
 * schema with the field's length replaces this one) and the suggested reply.
 */
const BASE_SHAPE = {
  summary: z.string().min(1).max(2000).describe("what the customer needs, 2-3 sentences"),
  suggested_reply: z
    .string()
    .min(1)
    .max(32_000)
    .describe("polite reply for an agent to edit; promise nothing the data does not support"),
};

interface LoadedTicket {
  ticket: DeskTicket;
  messages: { direction: string; content: string }[];
  binding: Binding;
}

/** The ticket as the trigger carried it, in the port's shape (only the fields it had). */
function ticketOf(id: string, carried: NonNullable<TicketInput["ticket"]>): DeskTicket {
  const ticket: DeskTicket = { id };
  for (const [key, value] of Object.entries(carried)) if (value !== undefined) ticket[key] = value;
  return ticket;
}

/** The org's output schema, one object per binding (see perBinding). */
const schemaOfBinding = perBinding((binding) => z.object({ ...BASE_SHAPE, ...outputShape(binding) }));

export function ticketTriageWork(settings: UseCaseSettings): UseCaseWork<TicketInput, LoadedTicket> {
  const mapping = withFieldMap(TICKET_MAPPING, settings.fieldMap);
  return {
    promptVersion: "ticket-triage/2026-11-30.2",
    inputSchema: TicketInputSchema,

    async load(ctx: WorkContext, input: TicketInput): Promise<LoadedTicket> {
      if (!ctx.binding) throw new Error("ticket triage runs with a bound field mapping");
      // Desk has no call that answers a ticket with its messages, nor several tickets at once (Zoho's Desk OAS,
      // api-evangelist/zoho openapi/zoho-desk/v1.0/Ticket.json: `GET /tickets/{id}` `include` takes contacts,
      // products, assignee, departments, contract, isRead, team, skills, no threads), and `GET /tickets/{id}/threads`
      // lists each thread's `summary` (at most 100 characters) but not its `content` (Thread.json, threadKeys): the
      // messages take one `GET .../threads/{threadId}` each. What can be saved is the ticket read: a fresh
      // Ticket_Add event carried the ticket, so its copy stands in for `getTicket`.
      const carried = ctx.triggerFresh ? input.ticket : undefined;
      const [ticket, listed] = await Promise.all([
        carried ? Promise.resolve(ticketOf(input.ticketId, carried)) : ctx.desk.getTicket(input.ticketId),
        ctx.desk.listThreads(input.ticketId),
      ]);
      if (!ticket) throw new NotFoundError("zoho-desk", `ticket ${input.ticketId} does not exist`);
      // The latest few customer and agent messages, newest last; drafts are not conversation.
      const threads = listed.filter((th) => th.status !== "DRAFT").slice(-4);
      const full = await Promise.all(threads.map((th) => ctx.desk.getThread(input.ticketId, th.id)));
      const messages: LoadedTicket["messages"] = full.flatMap((th) =>
        th ? [{ direction: th.direction, content: th.content.replace(/<[^>]+>/g, " ").slice(0, 8_000) }] : [],
      );
      return { ticket, messages, binding: ctx.binding };
    },

    // Per org, never per ticket: the system prompt and this schema are the fixed prefix of every triage call.
    schemaFor: (loaded) => schemaOfBinding(loaded.binding),

    prompt(loaded) {
      const data = {
        subject: loaded.ticket.subject,
        description: loaded.ticket.description,
        priority: loaded.ticket.priority,
        status: loaded.ticket.status,
        messages: loaded.messages,
      };
      return {
        system: `You triage customer support tickets. ${DATA_RULES} Write the suggested reply in the customer's language.`,
        user: dataBlock("support ticket", data),
      };
    },

    plan(output: Record<string, unknown>, loaded: LoadedTicket): PlannedWrite[] {
      const ticketId = loaded.ticket.id;
      const proposed: Record<string, unknown> = {};
      for (const b of loaded.binding.bound) {
        const value = output[b.target.key];
        if (value !== undefined && value !== null) proposed[b.field.name] = value;
      }
      const labels = (["category", "urgency", "sentiment"] as const)
        .filter((k) => typeof output[k] === "string")
        .map((k) => `${k} ${output[k] as string}`);
      const comment = [
        `AI triage${labels.length ? ` — ${labels.join(", ")}` : ""}.`,
        "",
        String(output.summary ?? ""),
      ].join("\n");
      const departmentId = loaded.ticket.departmentId;
      return [
        {
          kind: "desk-ticket-update",
          ticketId,
          proposed,
          allowList: loaded.binding.bound.map((b) => b.field.name),
          droppable: droppableFields(loaded.binding, mapping),
        },
        { kind: "desk-comment", ticketId, content: comment },
        {
          kind: "desk-reply",
          ticketId,
          content: String(output.suggested_reply ?? ""),
          to: typeof loaded.ticket.email === "string" ? loaded.ticket.email : null,
          departmentId:
            typeof departmentId === "string" || typeof departmentId === "number"
              ? String(departmentId)
              : null,
        },
      ];
    },

    auditTarget: (loaded) => ({ service: "desk", ticketId: loaded.ticket.id }),
  };
}
