/**
 * Document extraction: a document's text (inline, or a Zoho attachment reference) for a CRM record. Accepted and
 * validated at ingest; this release has no pipeline part for it yet, so its units are dead-lettered with the
 * reason (issue 11 builds it).
 */
import * as z from "zod";
import { AttachmentRefSchema, customParams, text } from "../../ingest/input-parts.js";
import { ModuleNameSchema, ZohoIdInputSchema } from "../../schemas/work-message.js";
import type { UseCaseDescriptor } from "../descriptor.js";

export const DocumentExtractionInputSchema = z
  .object({
    module: ModuleNameSchema,
    recordId: ZohoIdInputSchema,
    text: text().optional(),
    documentRef: AttachmentRefSchema.optional(),
    fileName: z.string().max(255).optional(),
    params: customParams.optional(),
  })
  .refine((v) => (v.text === undefined) !== (v.documentRef === undefined), {
    message: "give exactly one of text or documentRef",
    path: ["text"],
  });

export const documentExtraction: UseCaseDescriptor = {
  name: "document-extraction",
  title: "Document extraction: fields read from a document onto its CRM record",
  service: "crm",
  triggers: { flow: { schema: DocumentExtractionInputSchema } },
};
