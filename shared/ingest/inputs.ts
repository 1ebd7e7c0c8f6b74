/**
 * The envelopes Zoho's own senders use (CRM workflow webhooks, Notification API callbacks, Desk events), whichever
 * use case they feed. Flow routes take the use case's own schema (`triggers.flow.schema` in its descriptor, built
 * from `input-parts.ts`). Zoho's merge fields arrive as strings (form-data or raw JSON); unknown keys are kept as
 * custom parameters but never trusted as instructions.
 */
import * as z from "zod";
import { ModuleNameSchema, ZohoIdInputSchema as ZohoIdSchema } from "../schemas/work-message.js";

/** Whole request body, in bytes; beyond it the ingest answers 413. */
export const MAX_BODY_BYTES = 200 * 1024;

/**
 * CRM workflow webhook for a record: `id` (e.g. `${Leads.Lead Id}`), optional module (the use case's default
 * module when absent) and modified time; other keys are the rule's custom parameters.
 */
export const crmRecordTriggerSchema = (defaultModule: string) =>
  z.looseObject({
    id: ZohoIdSchema,
    module: ModuleNameSchema.default(defaultModule),
    modified_time: z.string().max(64).optional(),
  });

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
