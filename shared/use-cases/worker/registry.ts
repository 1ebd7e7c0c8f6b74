/** The worker's use cases. Adding one: write its module, then add one line here. */
import type { UseCase } from "../../schemas/work-message.js";
import { type LeadFieldMap, makeLeadEnrichment } from "./lead-enrichment.js";
import { makeTicketTriage, type TicketFieldMap } from "./ticket-triage.js";
import type { AnyWorkerUseCase } from "./types.js";

export function buildRegistry(
  options: { leadFields?: LeadFieldMap; ticketFields?: TicketFieldMap } = {},
): Partial<Record<UseCase, AnyWorkerUseCase>> {
  return {
    "lead-enrichment": makeLeadEnrichment(options.leadFields),
    "ticket-triage": makeTicketTriage(options.ticketFields),
  };
}
