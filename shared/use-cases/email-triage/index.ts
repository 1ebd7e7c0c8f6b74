/**
 * E-mail triage: an inbound e-mail sent by Zoho Flow, n8n or custom code. Accepted and validated at ingest; this
 * release has no pipeline part for it yet, so its units are dead-lettered with the reason (issue 11 builds it).
 */
import * as z from "zod";
import { customParams, text } from "../../ingest/input-parts.js";
import type { UseCaseDescriptor } from "../descriptor.js";

export const EmailTriageInputSchema = z.object({
  from: z.email(),
  to: z.string().max(2_000).optional(),
  subject: z.string().max(1_000).default(""),
  body: text(),
  messageId: z.string().min(1).max(998).optional(),
  receivedAt: z.string().max(64).optional(),
  params: customParams.optional(),
});

export const emailTriage: UseCaseDescriptor = {
  name: "email-triage",
  title: "E-mail triage: an inbound e-mail from Flow, n8n or code, resolved against CRM and acted on by rule",
  service: "crm",
  triggers: { flow: { schema: EmailTriageInputSchema } },
};
