/**
 * Desk ticket triage: a summary, sentiment, urgency, category and a suggested reply. Written as a private comment,
 * a draft reply (never sent unless the deployment opts in), and the ticket's AI custom fields.
 *
 * The ticket fields are declared as targets and bound to the org's live Desk fields, so the model can only name
 * the org's own picklist values and write within the org's lengths. Fields are configurable with TICKET_FIELD_MAP.
 */
import * as z from "zod";
import { NotFoundError, UpstreamRejectedError } from "../../errors.js";
import { DATA_RULES, dataBlock } from "../../prompts/data-block.js";
import { ZohoIdSchema } from "../../schemas/work-message.js";
import {
  type Binding,
  boundShape,
  droppableFields,
  type OutputTarget,
  type UseCaseMapping,
} from "../../worker/field-mapping.js";
import type { PlannedWrite, UseCaseEnv, WorkerUseCase } from "./types.js";

const zohoId = (id: unknown): id is string => ZohoIdSchema.safeParse(id).success;

export const TicketInputSchema = z.looseObject({
  ticketId: ZohoIdSchema,
  eventType: z.string(),
  threadId: ZohoIdSchema.optional(),
});
type TicketInput = z.infer<typeof TicketInputSchema>;

/**
 * What triage writes to the ticket. Required: category and urgency, the routing an agent relies on; sentiment and
 * the summary field are written where the org has them (the summary is in the private comment regardless).
 */
export const TICKET_TARGETS = [
  {
    key: "category",
    field: "cf_ai_category",
    required: true,
    intent: "what the ticket is about, in the help desk's own categories",
    accepts: ["picklist"],
  },
  {
    key: "urgency",
    field: "cf_ai_urgency",
    required: true,
    intent: "how urgent the ticket is: an urgency rating, most to least urgent or as the help desk orders it",
    accepts: ["picklist"],
  },
  {
    key: "sentiment",
    field: "cf_ai_sentiment",
    required: false,
    intent: "the customer's sentiment: a rating from the help desk's own scale",
    accepts: ["picklist"],
  },
  {
    key: "summary",
    field: "cf_ai_summary",
    required: false,
    intent: "two or three sentences: what the customer needs",
    accepts: ["textarea", "text"],
  },
] as const satisfies readonly OutputTarget[];

export type TicketTargetKey = (typeof TICKET_TARGETS)[number]["key"];
export const TICKET_TARGET_KEYS = TICKET_TARGETS.map((t) => t.key) as [TicketTargetKey, ...TicketTargetKey[]];
/** Target -> Desk field api name, over the defaults (TICKET_FIELD_MAP). */
export type TicketFieldMap = Partial<Record<TicketTargetKey, string>>;

export function ticketMapping(fieldMap: TicketFieldMap = {}): UseCaseMapping {
  return {
    service: "desk",
    module: "tickets",
    targets: TICKET_TARGETS.map((t) => ({ ...t, field: fieldMap[t.key] ?? t.field })),
    partialOptional: true,
    fieldMapSetting: "TICKET_FIELD_MAP",
  };
}

/**
 * Outputs always asked for: the summary (for the private comment; when the org has a summary field, its bound
 * schema with the field's length replaces this one) and the suggested reply.
 */
const BASE_SHAPE = {
  summary: z.string().min(1).max(2000).describe("Two or three sentences: what the customer needs"),
  suggested_reply: z
    .string()
    .min(1)
    .max(32_000)
    .describe("A polite reply an agent can edit and send; promise nothing the data does not support"),
};

interface LoadedTicket {
  ticket: Record<string, unknown> & { id: string };
  messages: { direction: string; content: string }[];
  binding: Binding;
}

export function makeTicketTriage(
  fieldMap: TicketFieldMap = {},
): WorkerUseCase<TicketInput, LoadedTicket, z.ZodType<Record<string, unknown>>> {
  const mapping = ticketMapping(fieldMap);
  return {
    name: "ticket-triage",
    promptVersion: "ticket-triage/2026-11-30.1",
    inputSchema: TicketInputSchema,
    // The real schema is per org and unit (schemaFor); this is its widest form.
    outputSchema: z.record(z.string(), z.unknown()),
    mapping,

    async load(env: UseCaseEnv, input: TicketInput): Promise<LoadedTicket> {
      if (!env.binding) throw new Error("ticket triage runs with a bound field mapping");
      const t = await env.zoho.request<Record<string, unknown> & { id: string }>({
        service: "desk",
        method: "GET",
        path: `/api/v1/tickets/${input.ticketId}`,
      });
      if (!t.data) throw new NotFoundError("zoho-desk", `ticket ${input.ticketId} does not exist`);
      // Ids from Zoho's answers go into later URLs and the write cap's key: they are checked like caller input.
      if (!zohoId(t.data.id))
        throw new UpstreamRejectedError(
          "zoho-desk",
          "Desk answered a ticket id that is not 1-19 digits",
          "INVALID_ID",
          undefined,
        );
      const list = await env.zoho.request<{ data: { id: string; direction: string; status?: string }[] }>({
        service: "desk",
        method: "GET",
        path: `/api/v1/tickets/${input.ticketId}/threads`,
      });
      // The latest few customer and agent messages, newest last; drafts are not conversation.
      const threads = (list.data?.data ?? []).filter((th) => th.status !== "DRAFT").slice(-4);
      const messages: LoadedTicket["messages"] = [];
      for (const th of threads) {
        if (!zohoId(th.id))
          throw new UpstreamRejectedError(
            "zoho-desk",
            "Desk answered a thread id that is not 1-19 digits",
            "INVALID_ID",
            undefined,
          );
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
      return { ticket: t.data, messages, binding: env.binding };
    },

    schemaFor: (loaded) => z.object({ ...BASE_SHAPE, ...boundShape(loaded.binding) }),

    prompt(loaded) {
      const data = {
        subject: loaded.ticket.subject,
        description: loaded.ticket.description,
        priority: loaded.ticket.priority,
        status: loaded.ticket.status,
        messages: loaded.messages,
      };
      return {
        system: `You triage customer support tickets for a support team. ${DATA_RULES} Each answer field describes what it means; ratings and categories use the help desk's own values. Write the suggested reply in the customer's language.`,
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
