/**
 * E-mail triage: an inbound e-mail posted by Zoho Flow, n8n or custom code. The model classifies it (intent,
 * entities, summary, urgency); the mediator resolves the sender against CRM and acts by its rule table (`rules.ts`):
 * a Lead for a new business sender, a Note and a Task for a known one, a Desk ticket for support, nothing for spam.
 */
import type { UseCaseDescriptor } from "../descriptor.js";
import { EmailTriageInputSchema, messageIdKey } from "./input.js";
import { emailTriageWork } from "./work.js";

export { EmailTriageInputSchema } from "./input.js";

export const emailTriage: UseCaseDescriptor = {
  name: "email-triage",
  title:
    "E-mail triage: an inbound e-mail from Flow, n8n or code classified by the model (intent, entities, summary, urgency) and acted on by the mediator's rules: a Lead for a new business sender, a Note and Task for a known one, a Desk ticket for support, nothing for spam",
  service: "crm",
  triggers: {
    flow: {
      schema: EmailTriageInputSchema,
      // Message-ID names the e-mail wherever it is delivered from: the same e-mail posted twice is one job.
      dedupBy: (input) => (typeof input.messageId === "string" ? messageIdKey(input.messageId) : undefined),
    },
  },
  work: emailTriageWork,
};
