/** Lead enrichment and qualification (CRM): ICP fit, intent, buying stage, a 0-100 score with its reason, a summary. */
import type { UseCaseDescriptor } from "../descriptor.js";
import { LEAD_MAPPING } from "./targets.js";
import { leadEnrichmentWork } from "./work.js";

export const leadEnrichment: UseCaseDescriptor = {
  name: "lead-enrichment",
  title:
    "Lead enrichment and qualification: ICP fit, intent, buying stage, a 0-100 score with its reason, a summary",
  service: "crm",
  triggers: {
    crmWorkflow: { defaultModule: "Leads" },
    crmNotification: { modules: ["Leads"] },
  },
  mapping: LEAD_MAPPING,
  work: leadEnrichmentWork,
};
