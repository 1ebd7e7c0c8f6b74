/**
 * The unit of work on the queue, versioned: the ingest function writes it, the worker reads it. A change that
 * old workers cannot read gets a new `v`.
 */
import * as z from "zod";

/**
 * A use case's name: kebab-case, as its descriptor declares it (`shared/use-cases/<name>/`). No static list here:
 * the ingest only produces names of the catalog it serves, and the pipeline checks each against its registry (a name
 * it has no work for is dead-lettered with the reason).
 */
export const UseCaseNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,63}$/, "must be a kebab-case use-case name");
export type UseCase = z.infer<typeof UseCaseNameSchema>;

export const TRIGGER_SOURCES = [
  "crm-workflow",
  "crm-notification",
  "desk-webhook",
  "flow",
  "creator-workflow",
  "books-webhook",
  "backfill",
] as const;

/** 19-digit Zoho ids, always as strings. */
export const ZohoIdSchema = z.string().regex(/^\d{1,19}$/, "must be a Zoho record id (1-19 digits)");

/**
 * A Zoho id as a webhook may send it: a digit string, or a bare JSON number (an unquoted merge field). Bodies are
 * parsed losslessly, so a number too long for a double arrives here as its exact digit string; a number that does
 * arrive as a number must be a safe integer, so nothing is ever rounded. Always yields the digit string.
 */
export const ZohoIdInputSchema = z
  .union([
    ZohoIdSchema,
    z
      .number()
      .refine((n) => Number.isSafeInteger(n) && n >= 0, "must be a Zoho record id (1-19 digits)")
      .transform(String),
  ])
  .pipe(ZohoIdSchema);

/**
 * A CRM module (or Desk module) api name. It becomes a URL path segment in the worker's Zoho calls, so nothing
 * else is accepted: no dots, slashes, percent signs or spaces.
 */
export const ModuleNameSchema = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,99}$/, "must be a module api name (letters, digits, underscore)");

const MODULE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;
const ZOHO_ID = /^\d{1,19}$/;
const isModule = (v: unknown) => typeof v === "string" && MODULE_NAME.test(v);
const isId = (v: unknown) => typeof v === "string" && ZOHO_ID.test(v);
/** Input fields that end up in Zoho URL paths, and what each must be. */
const PATH_FIELDS = new Map<string, (v: unknown) => boolean>([
  ["module", isModule],
  ["id", isId],
  ["recordId", isId],
  ["ticketId", isId],
  ["threadId", isId],
]);
const REF_FIELDS = ["transcriptRef", "documentRef"];
const own = (o: object, key: string): unknown =>
  Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined;

/**
 * The fields of a unit of work that become Zoho URL path segments (subject, module, ids, attachment references),
 * checked with plain regular expressions: cheap enough for the ingest's hot path, and the same rules the schema
 * below applies for the worker. Returns the offending paths (empty when all are valid).
 */
export function pathFieldIssues(
  subject: { module: unknown; id: unknown } | null,
  input: Record<string, unknown>,
): string[] {
  const issues: string[] = [];
  if (subject && !isModule(subject.module)) issues.push("subject.module");
  if (subject && !isId(subject.id)) issues.push("subject.id");
  for (const [field, valid] of PATH_FIELDS)
    if (Object.hasOwn(input, field) && !valid(input[field])) issues.push(`input.${field}`);
  for (const field of REF_FIELDS) {
    const ref = own(input, field);
    if (ref === undefined) continue;
    const ok =
      ref !== null &&
      typeof ref === "object" &&
      isModule(own(ref, "module")) &&
      isId(own(ref, "recordId")) &&
      isId(own(ref, "attachmentId"));
    if (!ok) issues.push(`input.${field}`);
  }
  return issues;
}

export const WorkMessageSchema = z.object({
  v: z.literal(1),
  jobId: z.uuid(),
  useCase: UseCaseNameSchema,
  /** The Zoho connection the work belongs to. */
  connection: z.string().min(1),
  source: z.enum(TRIGGER_SOURCES),
  /** Same event, same key: the worker's idempotency key. */
  dedupKey: z.string().min(1).max(512),
  receivedAt: z.iso.datetime(),
  /**
   * The event's correlation id (shared/observability/correlation.ts): on every log line of the event's work.
   * Optional, so messages queued before it existed still parse.
   */
  correlationId: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, "must be 1-128 of A-Z a-z 0-9 . _ : -")
    .optional(),
  /** The Zoho record or ticket the work is about, when there is one. */
  subject: z
    .object({ service: z.enum(["crm", "desk"]), module: ModuleNameSchema, id: ZohoIdSchema })
    .nullable(),
  /**
   * Use-case input, already validated by the use case's ingest schema. The fields that become Zoho URL path
   * segments (module, ids, attachment references) are checked again here, so a worker reading the queue never
   * builds a path from an unchecked value whoever wrote the message.
   */
  input: z.record(z.string(), z.unknown()).superRefine((input, ctx) => {
    for (const path of pathFieldIssues(null, input))
      ctx.addIssue({
        code: "custom",
        path: [path.slice("input.".length)],
        message: "not a valid Zoho module or id",
      });
  }),
});
export type WorkMessage = z.infer<typeof WorkMessageSchema>;
