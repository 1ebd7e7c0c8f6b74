/**
 * Desk ticket triage: a summary, sentiment, urgency, category and a suggested reply. Written as a private comment,
 * a draft reply (never sent unless the deployment opts in), and the ticket's AI custom fields.
 */
import * as z from "zod";
import { NotFoundError } from "../../errors.js";
import { DATA_RULES, dataBlock } from "../../prompts/data-block.js";
import { ZohoIdSchema } from "../../schemas/work-message.js";
import type { PlannedWrite, UseCaseEnv, WorkerUseCase } from "./types.js";

export const TicketInputSchema = z.looseObject({
  ticketId: ZohoIdSchema,
  eventType: z.string(),
  threadId: ZohoIdSchema.optional(),
});
type TicketInput = z.infer<typeof TicketInputSchema>;

export const TicketTriageSchema = z.object({
  summary: z.string().describe("Two or three sentences: what the customer needs"),
  sentiment: z.enum(["Positive", "Neutral", "Negative"]),
  urgency: z.enum(["Low", "Medium", "High", "Critical"]),
  category: z.enum(["Billing", "Technical", "Account", "Shipping", "Feature Request", "Other"]),
  suggested_reply: z
    .string()
    .describe("A polite reply an agent can edit and send; promise nothing the data does not support"),
});
type TicketOutput = z.infer<typeof TicketTriageSchema>;

const TICKET_FIELDS = ["cf_ai_summary", "cf_ai_sentiment", "cf_ai_urgency", "cf_ai_category"] as const;

interface LoadedTicket {
  ticket: Record<string, unknown> & { id: string };
  messages: { direction: string; content: string }[];
}

export function makeTicketTriage(): WorkerUseCase<TicketInput, LoadedTicket, typeof TicketTriageSchema> {
  return {
    name: "ticket-triage",
    promptVersion: "ticket-triage/2026-11-25.1",
    inputSchema: TicketInputSchema,
    outputSchema: TicketTriageSchema,

    async load(env: UseCaseEnv, input: TicketInput): Promise<LoadedTicket> {
      const t = await env.zoho.request<Record<string, unknown> & { id: string }>({
        service: "desk",
        method: "GET",
        path: `/api/v1/tickets/${input.ticketId}`,
      });
      if (!t.data) throw new NotFoundError("zoho-desk", `ticket ${input.ticketId} does not exist`);
      const list = await env.zoho.request<{ data: { id: string; direction: string; status?: string }[] }>({
        service: "desk",
        method: "GET",
        path: `/api/v1/tickets/${input.ticketId}/threads`,
      });
      // The latest few customer and agent messages, newest last; drafts are not conversation.
      const threads = (list.data?.data ?? []).filter((th) => th.status !== "DRAFT").slice(-4);
      const messages: LoadedTicket["messages"] = [];
      for (const th of threads) {
        const full = await env.zoho.request<{ direction: string; content: string }>({
          service: "desk",
          method: "GET",
          path: `/api/v1/tickets/${input.ticketId}/threads/${th.id}`,
        });
        if (full.data)
          messages.push({
            direction: full.data.direction,
            content: full.data.content.replace(/<[^>]+>/g, " ").slice(0, 8_000),
          });
      }
      return { ticket: t.data, messages };
    },

    prompt(loaded) {
      const data = {
        subject: loaded.ticket.subject,
        description: loaded.ticket.description,
        priority: loaded.ticket.priority,
        status: loaded.ticket.status,
        messages: loaded.messages,
      };
      return {
        system: `You triage customer support tickets for a support team. ${DATA_RULES} Write the suggested reply in the customer's language.`,
        user: dataBlock("support ticket", data),
      };
    },

    plan(output: TicketOutput, loaded: LoadedTicket): PlannedWrite[] {
      const ticketId = loaded.ticket.id;
      const comment = [
        `AI triage — ${output.category}, urgency ${output.urgency}, sentiment ${output.sentiment}.`,
        "",
        output.summary,
      ].join("\n");
      return [
        {
          kind: "desk-ticket-update",
          ticketId,
          proposed: {
            cf_ai_summary: output.summary.slice(0, 2000),
            cf_ai_sentiment: output.sentiment,
            cf_ai_urgency: output.urgency,
            cf_ai_category: output.category,
          },
          allowList: TICKET_FIELDS,
        },
        { kind: "desk-comment", ticketId, content: comment },
        {
          kind: "desk-reply",
          ticketId,
          content: output.suggested_reply,
          to: typeof loaded.ticket.email === "string" ? loaded.ticket.email : null,
        },
      ];
    },

    auditTarget: (loaded) => ({ service: "desk", ticketId: loaded.ticket.id }),
  };
}
