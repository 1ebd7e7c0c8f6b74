/** Lead enrichment and qualification (CRM): ICP fit, intent, buying stage, a 0-100 score with its reason, a summary. */
import * as z from "zod";
import { customParams } from "../../ingest/input-parts.js";
import { ModuleNameSchema, ZohoIdInputSchema } from "../../schemas/work-message.js";
import type { UseCaseDescriptor } from "../descriptor.js";
import { LEAD_MAPPING } from "./targets.js";
import { LEAD_TRIGGER_FIELDS, leadEnrichmentWork } from "./work.js";

/** The same unit as a workflow webhook's, sent by Flow, n8n or custom code: the lead (or record) to enrich. */
export const LeadEnrichmentFlowInputSchema = z.object({
  module: ModuleNameSchema.default("Leads"),
  id: ZohoIdInputSchema,
  params: customParams.optional(),
});

export const leadEnrichment: UseCaseDescriptor = {
  name: "lead-enrichment",
  title:
    "Lead enrichment and qualification: ICP fit, intent, buying stage, a 0-100 score with its reason, a summary; industry, city, country and job title only where the record has none",
  service: "crm",
  triggers: {
    crmWorkflow: { defaultModule: "Leads", triggerFields: LEAD_TRIGGER_FIELDS },
    crmNotification: { modules: ["Leads"] },
    flow: { schema: LeadEnrichmentFlowInputSchema },
  },
  mapping: LEAD_MAPPING,
  work: leadEnrichmentWork,
};
