/**
 * The unit of work on the queue, versioned: the ingest function writes it, the worker reads it. A change that
 * old workers cannot read gets a new `v`.
 */
import * as z from "zod";

export const USE_CASES = [
  "lead-enrichment",
  "ticket-triage",
  "email-triage",
  "call-transcript",
  "document-extraction",
] as const;
export const UseCaseSchema = z.enum(USE_CASES);
export type UseCase = z.infer<typeof UseCaseSchema>;

export const TRIGGER_SOURCES = ["crm-workflow", "crm-notification", "desk-webhook", "flow"] as const;

/** 19-digit Zoho ids, always as strings. */
export const ZohoIdSchema = z.string().regex(/^\d{1,19}$/, "must be a Zoho record id (digits)");

export const WorkMessageSchema = z.object({
  v: z.literal(1),
  jobId: z.uuid(),
  useCase: UseCaseSchema,
  /** The Zoho connection the work belongs to. */
  connection: z.string().min(1),
  source: z.enum(TRIGGER_SOURCES),
  /** Same event, same key: the worker's idempotency key. */
  dedupKey: z.string().min(1).max(512),
  receivedAt: z.iso.datetime(),
  /** The Zoho record or ticket the work is about, when there is one. */
  subject: z
    .object({ service: z.enum(["crm", "desk"]), module: z.string().min(1), id: ZohoIdSchema })
    .nullable(),
  /** Use-case input, already validated by the use case's ingest schema. */
  input: z.record(z.string(), z.unknown()),
});
export type WorkMessage = z.infer<typeof WorkMessageSchema>;
