/**
 * Document extraction (CRM): a contract, application form, bank statement or proposal (a Zoho attachment
 * reference, or its text inline) read into its CRM record: sure values into the fields the org maps, deadlines as
 * Tasks, unsure values and the document's clauses, risks or anomalies in a review note.
 */
import * as z from "zod";
import { AttachmentRefSchema, customParams, text } from "../../ingest/input-parts.js";
import { ModuleNameSchema, ZohoIdInputSchema } from "../../schemas/work-message.js";
import type { UseCaseDescriptor } from "../descriptor.js";
import { DOCUMENT_TYPES } from "./schemas.js";
import { DOCUMENT_MAPPING } from "./targets.js";
import { documentExtractionWork } from "./work.js";

export const DocumentExtractionInputSchema = z
  .object({
    module: ModuleNameSchema,
    recordId: ZohoIdInputSchema,
    /** Which extraction schema applies; a contract when not given. */
    documentType: z.enum(DOCUMENT_TYPES).default("contract"),
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
  title:
    "Document extraction: a contract, application form, bank statement or proposal (PDF text, or scans and images through a vision model) read into the record's mapped fields, deadlines as Tasks, unsure values in a review note",
  service: "crm",
  triggers: { flow: { schema: DocumentExtractionInputSchema } },
  mapping: DOCUMENT_MAPPING,
  work: documentExtractionWork,
};
