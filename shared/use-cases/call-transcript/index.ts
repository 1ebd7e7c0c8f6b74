/**
 * Call transcripts: a call's transcript (inline, or a Zoho attachment reference) for a CRM record. Accepted and
 * validated at ingest; this release has no pipeline part for it yet, so its units are dead-lettered with the
 * reason (issue 11 builds it).
 */
import * as z from "zod";
import { AttachmentRefSchema, customParams, text } from "../../ingest/input-parts.js";
import { ModuleNameSchema, ZohoIdInputSchema } from "../../schemas/work-message.js";
import type { UseCaseDescriptor } from "../descriptor.js";

export const CallTranscriptInputSchema = z
  .object({
    module: ModuleNameSchema,
    recordId: ZohoIdInputSchema,
    callId: z.string().min(1).max(200).optional(),
    transcript: text().optional(),
    transcriptRef: AttachmentRefSchema.optional(),
    durationSeconds: z.number().int().min(0).max(86_400).optional(),
    params: customParams.optional(),
  })
  .refine((v) => (v.transcript === undefined) !== (v.transcriptRef === undefined), {
    message: "give exactly one of transcript or transcriptRef",
    path: ["transcript"],
  });

export const callTranscript: UseCaseDescriptor = {
  name: "call-transcript",
  title: "Call transcripts: a summary, action items and risks of a call, onto its CRM record",
  service: "crm",
  triggers: { flow: { schema: CallTranscriptInputSchema } },
};
