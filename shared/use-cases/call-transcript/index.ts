/**
 * Call transcripts: a call's transcript (inline, or a Zoho attachment reference) for a CRM record (a Deal, Contact,
 * Lead, Account or Calls record) becomes one note (summary, objections, risks), one task per action item on our
 * side, and, on a Deal, the stage, next step and closing date the call explicitly supports (`work.ts`).
 */
import * as z from "zod";
import { AttachmentRefSchema, customParams, text } from "../../ingest/input-parts.js";
import { ModuleNameSchema, ZohoIdInputSchema } from "../../schemas/work-message.js";
import type { UseCaseDescriptor } from "../descriptor.js";
import { transcriptSettingsFrom } from "./settings.js";
import { DEAL_MAPPING } from "./targets.js";
import { callTranscriptWork } from "./work.js";

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
  mapping: DEAL_MAPPING,
  settings: [
    "TRANSCRIPT_TOKEN_BUDGET",
    "TRANSCRIPT_CHUNK_TOKENS",
    "TRANSCRIPT_MAX_BYTES",
    "TRANSCRIPT_ALLOW_STAGE_BACKWARDS",
  ],
  // Built in the worker only (CDK synth and the ingest never call it): its settings are the worker's variables.
  work: (settings) => callTranscriptWork(settings, transcriptSettingsFrom(settings.raw ?? {})),
};
