/**
 * What each trigger route accepts, per use case. Zoho's merge fields arrive as strings (form-data or raw JSON);
 * unknown keys are kept as custom parameters but never trusted as instructions.
 *
 * Large inputs: text travels inline up to MAX_INLINE_TEXT_BYTES per field (well under SQS's 256 KB message limit,
 * leaving room for the envelope); anything larger must be sent by reference to a Zoho attachment, which the
 * worker downloads.
 */
import * as z from "zod";
import { ModuleNameSchema, ZohoIdInputSchema as ZohoIdSchema } from "../schemas/work-message.js";
import { MAX_PARAMS } from "./payload-bounds.js";

/** Per text field, in UTF-8 bytes. */
export const MAX_INLINE_TEXT_BYTES = 150 * 1024;
/** Whole request body, in bytes; beyond it the ingest answers 413. */
export const MAX_BODY_BYTES = 200 * 1024;

const text = (max = MAX_INLINE_TEXT_BYTES) =>
  z
    .string()
    .refine(
      (s) => Buffer.byteLength(s, "utf8") <= max,
      `longer than ${max} bytes: send it as a Zoho attachment reference instead`,
    );
const customParams = z
  .record(z.string().max(100), z.union([z.string().max(2_000), z.number(), z.boolean(), z.null()]))
  .refine((p) => Object.keys(p).length <= MAX_PARAMS, `at most ${MAX_PARAMS} parameters`);

/** A Zoho attachment the worker fetches (for documents and transcripts too large to send inline). */
export const AttachmentRefSchema = z.object({
  module: ModuleNameSchema,
  recordId: ZohoIdSchema,
  attachmentId: ZohoIdSchema,
});

/** CRM workflow webhook for a record: `id` (e.g. `${Leads.Lead Id}`), optional module and modified time. */
export const CrmRecordTriggerSchema = z.looseObject({
  id: ZohoIdSchema,
  module: ModuleNameSchema.default("Leads"),
  modified_time: z.string().max(64).optional(),
});

export const EmailTriageInputSchema = z.object({
  from: z.email(),
  to: z.string().max(2_000).optional(),
  subject: z.string().max(1_000).default(""),
  body: text(),
  messageId: z.string().min(1).max(998).optional(),
  receivedAt: z.string().max(64).optional(),
  params: customParams.optional(),
});

export const CallTranscriptInputSchema = z
  .object({
    module: ModuleNameSchema,
    recordId: ZohoIdSchema,
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

export const DocumentExtractionInputSchema = z
  .object({
    module: ModuleNameSchema,
    recordId: ZohoIdSchema,
    text: text().optional(),
    documentRef: AttachmentRefSchema.optional(),
    fileName: z.string().max(255).optional(),
    params: customParams.optional(),
  })
  .refine((v) => (v.text === undefined) !== (v.documentRef === undefined), {
    message: "give exactly one of text or documentRef",
    path: ["text"],
  });

export const LeadEnrichmentFlowInputSchema = z.object({
  module: ModuleNameSchema.default("Leads"),
  id: ZohoIdSchema,
  params: customParams.optional(),
});

/** Use cases callable from Flow / n8n / Deluge / custom code, with their input schema. */
export const FLOW_INPUTS = {
  "email-triage": EmailTriageInputSchema,
  "call-transcript": CallTranscriptInputSchema,
  "document-extraction": DocumentExtractionInputSchema,
  "lead-enrichment": LeadEnrichmentFlowInputSchema,
} as const;

/** Use cases a CRM workflow webhook can trigger. */
export const CRM_WORKFLOW_USE_CASES = ["lead-enrichment"] as const;

/** Notification API callback body (fact sheet §2, Notifications). */
export const CrmNotificationSchema = z.object({
  module: ModuleNameSchema,
  ids: z.array(ZohoIdSchema).min(1).max(1_000),
  operation: z.enum(["insert", "update", "delete"]),
  channel_id: z.union([z.string().min(1).max(64), z.number().int()]),
  token: z.string().max(128).nullable().optional(),
  server_time: z.number().optional(),
  resource_uri: z.string().max(2_000).optional(),
  affected_fields: z
    .array(z.record(z.string().max(19), z.array(z.string().max(100)).max(500)))
    .max(1_000)
    .optional(),
  query_params: z.unknown().optional(),
});

/** One Desk webhook event (Desk POSTs a JSON array of these). */
export const DeskEventSchema = z.object({
  eventType: z
    .string()
    .regex(/^[A-Za-z]+_[A-Za-z_]+$/)
    .max(64),
  orgId: ZohoIdSchema,
  eventTime: z
    .union([z.string().regex(/^\d{1,16}$/), z.number().refine(Number.isSafeInteger).transform(String)])
    .pipe(z.string().regex(/^\d{1,16}$/, "must be epoch milliseconds")),
  payload: z.looseObject({
    id: ZohoIdSchema,
    /** On thread events, the ticket the thread belongs to: it becomes a Zoho URL path segment, so it is an id. */
    ticketId: ZohoIdSchema.optional(),
  }),
  prevState: z.record(z.string(), z.unknown()).optional(),
});
export const DeskEventsSchema = z.array(DeskEventSchema).min(1).max(100);
export type DeskEvent = z.infer<typeof DeskEventSchema>;

/** Desk events the ticket-triage use case acts on. */
export const DESK_TRIAGE_EVENTS = new Set(["Ticket_Add", "Ticket_Thread_Add"]);
