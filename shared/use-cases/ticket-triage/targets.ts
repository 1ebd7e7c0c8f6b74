/**
 * What ticket triage writes to the ticket, declared as targets and bound to the org's live Desk fields, so the
 * model can only name the org's own picklist values and write within the org's lengths. Fields move with
 * TICKET_FIELD_MAP.
 */
import type { OutputTarget, UseCaseMapping } from "../../domain/output-targets.js";

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
    describe: "",
    accepts: ["picklist"],
  },
  {
    key: "urgency",
    field: "cf_ai_urgency",
    required: true,
    intent: "how urgent the ticket is: an urgency rating, most to least urgent or as the help desk orders it",
    describe: "",
    accepts: ["picklist"],
  },
  {
    key: "sentiment",
    field: "cf_ai_sentiment",
    required: false,
    intent: "the customer's sentiment: a rating from the help desk's own scale",
    describe: "",
    accepts: ["picklist"],
  },
  {
    key: "summary",
    field: "cf_ai_summary",
    required: false,
    intent: "two or three sentences: what the customer needs",
    describe: "what the customer needs, 2-3 sentences",
    accepts: ["textarea", "text"],
  },
] as const satisfies readonly OutputTarget[];

export type TicketTargetKey = (typeof TICKET_TARGETS)[number]["key"];
export const TICKET_TARGET_KEYS = TICKET_TARGETS.map((t) => t.key) as [TicketTargetKey, ...TicketTargetKey[]];
/** Target -> Desk field api name, over the defaults (TICKET_FIELD_MAP). */
export type TicketFieldMap = Partial<Record<TicketTargetKey, string>>;

/** The use case's mapping with its default fields (the pipeline applies TICKET_FIELD_MAP). */
export const TICKET_MAPPING: UseCaseMapping = {
  service: "desk",
  module: "tickets",
  targets: TICKET_TARGETS,
  partialOptional: true,
  fieldMapSetting: "TICKET_FIELD_MAP",
};
